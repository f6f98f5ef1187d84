// Runs one training (fit, evaluate, refit) on a worker thread, so that a long fit never blocks the event loop
// of a process that also applies events or serves the API. The thread is created per training and exits after.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { trainAndEvaluate, type Recipe, type TrainingAlgorithm, type TrainingChoice, type TrainingTimings, type Weighting } from '../services/model-training';
import type { Interaction } from '../recommender/types';
import type { ModelMetrics } from '../store/models';

export interface TrainingInput {
  interactions: Interaction[];
  /** The half-life the interactions' weights were decayed with (0 = none). @default 0 */
  halfLifeDays?: number;
  /** The same interactions weighed with other half-lives, to choose from on the hold-out. @default none */
  alternatives?: Weighting[];
  /** A family with its parameters, or `auto` (see AUTO_FAMILIES). */
  candidate: Recipe | { algorithm: TrainingAlgorithm & 'auto' };
  /** The active model's recipe, with the half-life it was trained with. */
  baseline: (Recipe & { id: string; halfLifeDays?: number | undefined }) | null;
  tolerance: number;
  /** Most users held out for evaluation. @default unlimited */
  evalUsers?: number;
}

export interface TrainingOutput {
  artifact: Uint8Array;
  params: Record<string, unknown>;
  metrics: ModelMetrics;
  better: boolean;
  timings: TrainingTimings;
  /** The family chosen (the candidate's, or for `auto` the best on the hold-out). */
  algorithm: string;
  /** The half-life the model was fitted with, and every family and half-life tried with its hold-out NDCG@10. */
  halfLifeDays: number;
  choices: TrainingChoice[];
}

/** The same computation in the calling thread (tests, and where threads are not wanted). */
export function trainHere(input: TrainingInput): TrainingOutput {
  const outcome = trainAndEvaluate(input.interactions, input.candidate, input.baseline, {
    tolerance: input.tolerance,
    maxTestUsers: input.evalUsers,
    halfLifeDays: input.halfLifeDays ?? 0,
    alternatives: input.alternatives ?? [],
  });
  return {
    algorithm: outcome.model.algorithm,
    artifact: outcome.model.serialize(),
    params: { ...outcome.model.params },
    metrics: outcome.metrics,
    better: outcome.better,
    timings: outcome.timings,
    halfLifeDays: outcome.halfLifeDays,
    choices: outcome.choices,
  };
}

/** Runs trainHere on a fresh worker thread (this module, loaded through tsx by the entry file). */
export function trainOnThread(input: TrainingInput): Promise<TrainingOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./training-thread-entry.mjs', import.meta.url), { workerData: input });
    worker.once('message', (m: { ok: true; output: TrainingOutput } | { ok: false; error: string; name: string }) => {
      if (m.ok) resolve(m.output);
      else reject(Object.assign(new Error(m.error), { name: m.name }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`training thread exited with code ${code}`)));
  });
}

if (!isMainThread && parentPort) {
  try {
    const output = trainHere(workerData as TrainingInput);
    parentPort.postMessage({ ok: true, output }, [output.artifact.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort.postMessage({ ok: false, error: (err as Error).message, name: (err as Error).name });
  }
}
