// The steps an end-to-end bench takes through the public API of its own deployment (bench/support.ts), shared by
// bench:movielens-api and bench:sessions-api: import a history as events, wait until the workers applied them,
// and train a model and wait until the API serves it.
import { sleep, type BenchDeployment } from './support';

const RECORD = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const STATUS = `{ systemStatus { outboxPending queues { name waiting active delayed } } }`;
const RETRAIN = `mutation($a: String) { retrainModel(algorithm: $a) { id } }`;
const RUN = `query($id: ID!) { trainingRun(id: $id) { status error model { id algorithm params status durationMs trainingEvents halfLifeDays metrics { ndcgAt10 baselineNdcgAt10 users } } } }`;
const SERVED_BY = `query($u: ID!) { recommendations(userId: $u, limit: 1) { model } }`;

/** Polls `probe` every 250 ms until it returns a value; throws after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * Records `events` through `recordEvents` in batches of 1,000 (the API's largest), `inFlight` batches at once in
 * the given order — what a backfill job with a small connection pool does. Every event must be accepted or a
 * duplicate (a rerun). Returns the seconds it took.
 */
export async function importEvents(d: BenchDeployment, events: readonly object[], token: string, inFlight = 4): Promise<number> {
  const started = performance.now();
  const batches = Array.from({ length: Math.ceil(events.length / 1000) }, (_, b) => events.slice(b * 1000, (b + 1) * 1000));
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const r = await d.gql(RECORD, { e: batch }, token);
      if (r.recordEvents.accepted + r.recordEvents.duplicates !== batch.length) throw new Error(`recordEvents: ${JSON.stringify(r.recordEvents)}`);
    }
  }));
  return (performance.now() - started) / 1000;
}

/** Waits until the outbox is drained and the events queue idle: every recorded event is in the feature store. */
export async function eventsApplied(d: BenchDeployment, adminToken: string, timeoutMs = 30 * 60_000): Promise<void> {
  await until('the worker to apply every event', timeoutMs, async () => {
    const s = (await d.gql(STATUS, {}, adminToken)).systemStatus;
    const busy = s.queues.filter((q: any) => q.name === 'events').reduce((n: number, q: any) => n + q.waiting + q.active + q.delayed, 0);
    return s.outboxPending === 0 && busy === 0 ? true : undefined;
  });
}

export interface TrainedModel {
  /** What `RecommendationList.model` says when this model serves: `<algorithm>:<version id>`. */
  label: string;
  /** The finished run's model version (id, algorithm, status, durationMs, trainingEvents, metrics). */
  model: any;
  /** From the first retrainModel call until the run that counts finished (not counting the wait to serve it). */
  seconds: number;
  /** retrainModel calls it took (more than one when a run joined had not seen `minEvents`). */
  calls: number;
}

/**
 * Trains `algorithm` (the deployment's default when undefined) with `retrainModel`, waits for the run, and until
 * the first API process serves the new version to `probeUser` (a user with history: each instance loads a new
 * model in the background). A retrain joins a run already queued or running, which may have read the events
 * before the last of them were recorded: while the finished model saw fewer than `minEvents`, it asks again.
 * The model must be ACTIVE (a first model always is; later ones pass TRAIN_PROMOTION_TOLERANCE).
 */
export async function trainAndServe(d: BenchDeployment, opts: { algorithm?: string; probeUser: string; minEvents?: number }): Promise<TrainedModel> {
  const admin = await d.token('admin');
  const service = await d.token('service');
  const started = performance.now();
  let model: any;
  let calls = 0;
  do {
    if (++calls > 5) throw new Error(`no training saw ${opts.minEvents} events after ${calls - 1} retrainModel calls (the last: ${model.trainingEvents})`);
    const { id } = (await d.gql(RETRAIN, { a: opts.algorithm ?? null }, admin)).retrainModel;
    const run = await until(`training run ${id}`, 30 * 60_000, async () => {
      const r = (await d.gql(RUN, { id }, admin)).trainingRun;
      if (r.status === 'FAILED') throw new Error(`training ${opts.algorithm ?? '(default)'} failed: ${r.error}`);
      return r.status === 'SUCCEEDED' ? r : undefined;
    });
    model = run.model;
  } while (model.trainingEvents < (opts.minEvents ?? 0));
  const seconds = (performance.now() - started) / 1000;
  if (model.status !== 'ACTIVE') throw new Error(`${model.algorithm} model ${model.id} is ${model.status}, not ACTIVE`);
  const label = `${model.algorithm}:${model.id}`;
  await until(`the API to serve ${label}`, 60_000, async () =>
    (await d.gql(SERVED_BY, { u: opts.probeUser }, service)).recommendations.model === label ? true : undefined);
  return { label, model, seconds, calls };
}
