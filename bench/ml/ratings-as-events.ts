// How a MovieLens rating becomes shop events for the end-to-end benchmark, and what interaction weight the
// training worker will make of them (so that the bench can fit the same weights offline as a reference).
// The weights mirror ModelStore.interactions: Σ TRAIN_EVENT_WEIGHTS[type] × 2^(−age / half-life), with the age
// taken from the latest event; only here the arithmetic runs on the ratings, not on Postgres rows.
import type { Interaction } from '../../src/recommender/types';
import type { Rating } from './ml100k';

export type EventType = 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE';

/** The platform's default TRAIN_EVENT_WEIGHTS. */
export const DEFAULT_EVENT_WEIGHTS: Record<EventType, number> = { VIEW: 1, CLICK: 2, ADD_TO_CART: 4, PURCHASE: 8 };

export interface Mapping {
  name: string;
  description: string;
  /** The events one rating turns into (their types; one event each). */
  events(rating: number): EventType[];
}

export const MAPPINGS: Record<string, Mapping> = {
  view: {
    name: 'view',
    description: 'every rating one VIEW (binary implicit feedback: weight 1)',
    events: () => ['VIEW'],
  },
  grades: {
    name: 'grades',
    description: 'rating 1–2 VIEW, 3 CLICK, 4 ADD_TO_CART, 5 PURCHASE (weights 1, 2, 4, 8)',
    events: (r) => [r <= 2 ? 'VIEW' : r === 3 ? 'CLICK' : r === 4 ? 'ADD_TO_CART' : 'PURCHASE'],
  },
  repeat: {
    name: 'repeat',
    description: 'rating r as r VIEWs (weight = rating, as bench:movielens weighs them)',
    events: (r) => Array.from({ length: r }, () => 'VIEW' as const),
  },
};

export const productId = (item: string) => `movie-${item}`;
export const userId = (user: string) => `user-${user}`;
export const itemOf = (product: string) => product.slice('movie-'.length);

export interface EventInput {
  id: string;
  type: EventType;
  userId: string;
  productId: string;
  occurredAt: string;
}

/** The events of a backfill, oldest first (ties in file order), each with the rating's own timestamp. */
export function ratingEvents(ratings: readonly Rating[], mapping: Mapping): EventInput[] {
  const ordered = ratings.map((r, k) => ({ r, k })).sort((a, b) => a.r.timestamp - b.r.timestamp || a.k - b.k);
  return ordered.flatMap(({ r }) =>
    mapping.events(r.rating).map((type, n) => ({
      id: `ml-${r.user}-${r.item}-${n}`,
      type,
      userId: userId(r.user),
      productId: productId(r.item),
      occurredAt: new Date(r.timestamp * 1000).toISOString(),
    })),
  );
}

/** The interactions the training worker should derive from those events (decay relative to the latest one). */
export function expectedInteractions(ratings: readonly Rating[], mapping: Mapping, halfLifeDays: number): Interaction[] {
  const latest = Math.max(...ratings.map((r) => r.timestamp));
  return ratings.map((r) => {
    const decay = halfLifeDays > 0 ? 0.5 ** ((latest - r.timestamp) / 86_400 / halfLifeDays) : 1;
    const weight = mapping.events(r.rating).reduce((s, t) => s + DEFAULT_EVENT_WEIGHTS[t], 0) * decay;
    return { user: r.user, item: r.item, weight, timestamp: r.timestamp * 1000 };
  });
}
