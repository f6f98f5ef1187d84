// How a trained model and the real-time signals share one recommendation list.
//
// The model has seen the shopper's history up to its training's reference time, and scores the whole of it
// again at request time (fold-in, so the latest clicks count too): it leads the ranking. Co-occurrence then adds
// only what the model cannot know: the neighbours of the interactions since its data ends (and of the product
// page being viewed), so the very last click still moves the list between trainings. Feeding it the old
// interactions as well re-ranked by a cruder copy of what the model already weighed: on MovieLens 100k end to
// end (bench:movielens-api) ALS served 0.391 NDCG@10 that way, 0.483 this way (0.482 offline). Category
// affinity and popularity, stand-ins for taste when nothing better is known, likewise move only the real-time
// part and fill gaps.
import type { RecommenderModel } from '../recommender/types';
import type { ModelVersion } from '../store/models';
import { trainingSettings } from './models';

/** Weight of the model's max-normalised scores; a real-time seed's best neighbour gets the seed's weight (1–3). */
export const MODEL_BLEND = 1.5;
/**
 * How much the model leads depends on how much it knows of the shopper: its weight is
 * MODEL_BLEND · n / (n + MODEL_HISTORY_HALF) for a history of n items. A fold-in of a session's two clicks is a
 * weak signal next to the session itself (sequential rules, repeats); a long history is the model's strength.
 */
export const MODEL_HISTORY_HALF = 10;
/** The weight of the model's best item for a history of `items` items (MODEL_HISTORY_HALF). */
export function modelWeight(items: number): number {
  return (MODEL_BLEND * items) / (items + MODEL_HISTORY_HALF);
}

/** How many of the model's best items join the candidates. */
export const MODEL_CANDIDATES = 200;

export interface WeightedHistory {
  item: string;
  weight: number;
  /** Latest interaction, epoch ms. */
  lastAt: number;
}

/**
 * The model's best items for a shopper (its weight × score / best score, positive scores only); empty when the
 * model knows nothing of the shopper's history.
 */
export function modelCandidates(model: RecommenderModel, history: readonly WeightedHistory[]): Map<string, number> {
  const scored = history.length
    ? model.scoreUser(history.map((h) => ({ item: h.item, weight: h.weight, timestamp: h.lastAt })), { limit: MODEL_CANDIDATES })
    : [];
  const top = scored[0]?.score ?? 0;
  const weight = modelWeight(history.length);
  const out = new Map<string, number>();
  if (top > 0) for (const { item, score } of scored) if (score > 0) out.set(item, (weight * score) / top);
  return out;
}

/** The latest event time a version was trained on (its reference time; trainedAt for versions without one). */
export function dataCutoff(version: ModelVersion): number {
  return Date.parse(trainingSettings(version).referenceTime ?? version.trainedAt.toISOString());
}

/**
 * Whether a product may seed real-time co-occurrence next to the model: the shopper's last interaction with it
 * came after the model's data ended (or the model's history does not have it at all).
 */
export function unseenByModel(history: readonly WeightedHistory[], cutoff: number): (productId: string) => boolean {
  const lastAt = new Map(history.map((h) => [h.item, h.lastAt]));
  return (productId) => !((lastAt.get(productId) ?? Infinity) <= cutoff);
}
