// One case of bench:training-scale, in a process of its own so that its peak memory is its own: a synthetic store's
// interactions through the production training path (trainOnThread: hold-out split, fit, evaluate, refit,
// serialise on a worker thread), then the snapshot loaded as an API instance loads it and scored per request.
// Prints one JSON line.
import { loadModel } from '../../src/recommender';
import { historiesByUser } from '../../src/recommender/holdout';
import type { AlgorithmName } from '../../src/recommender/types';
import { trainOnThread } from '../../src/services/training-thread';
import { syntheticInteractions } from './synthetic-store';

export interface ScaleCase {
  algorithm: AlgorithmName;
  events: number;
  products: number;
  maxUsers: number;
  /** TRAIN_EVAL_USERS. */
  evalUsers: number;
  params?: Record<string, unknown>;
}

export interface ScaleResult {
  events: number;
  users: number;
  sampledUsers: number;
  pairs: number;
  generateMs: number;
  timings: { fit: number; evaluate: number; baseline: number; refit: number };
  /** trainOnThread end to end, thread start and data transfer included. */
  trainMs: number;
  ndcg: number;
  evaluatedUsers: number;
  items: number;
  /** Share of the training pairs whose product the model keeps (EASE's maxItems drops the rest). */
  pairsCovered: number;
  dataRssMb: number;
  peakRssMb: number;
  artifactMb: number;
  /** Median time of one scoreUser call (20-item history, 50 results), as the API makes it. */
  scoreMs: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

async function main(spec: ScaleCase): Promise<ScaleResult> {
  let t = performance.now();
  const data = syntheticInteractions({ events: spec.events, products: spec.products, maxUsers: spec.maxUsers });
  const generateMs = performance.now() - t;
  const dataRssMb = mb(process.memoryUsage().rss);

  t = performance.now();
  const out = await trainOnThread({ interactions: data.interactions, candidate: { algorithm: spec.algorithm, params: spec.params }, baseline: null, tolerance: 0, evalUsers: spec.evalUsers });
  const trainMs = performance.now() - t;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  const model = loadModel(out.artifact);
  const kept = new Set(model.items);
  const pairsCovered = data.interactions.filter((x) => kept.has(x.item)).length / data.interactions.length;
  const histories = [...historiesByUser(data.interactions).values()].filter((h) => h.length >= 20).slice(0, 200);
  const times: number[] = [];
  for (const h of histories) {
    const s = performance.now();
    model.scoreUser(h.slice(0, 20), { limit: 50 });
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return {
    events: data.events,
    users: data.users,
    sampledUsers: data.sampledUsers,
    pairs: data.interactions.length,
    generateMs,
    timings: out.timings,
    trainMs,
    ndcg: out.metrics.ndcgAt10,
    evaluatedUsers: out.metrics.users,
    items: model.items.length,
    pairsCovered,
    dataRssMb,
    peakRssMb,
    artifactMb: mb(out.artifact.byteLength),
    scoreMs: times[times.length >> 1] ?? NaN,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ScaleCase;
main(spec).then(
  (r) => console.log(JSON.stringify(r)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
