// What shoppers do, as the platform records it: the event types and an event as stored and carried to workers.

export const EVENT_TYPES = ['VIEW', 'CLICK', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE', 'IMPRESSION'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event types that may change a cart: a purchase empties the bought line. */
export const CART_EVENT_TYPES: ReadonlySet<EventType> = new Set(['ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE']);

/** An event as stored and as carried to the workers (occurredAt in epoch milliseconds). */
export interface StoredEvent {
  id: string;
  type: EventType;
  userId: string;
  sessionId: string | null;
  productId: string | null;
  /** Category of the product at record time, carried so the workers need not look it up. */
  category: string | null;
  campaignId: string | null;
  /** PURCHASE without campaignId: the campaign credited by last click at record time. */
  attributedCampaignId: string | null;
  recommendationId: string | null;
  quantity: number;
  unitPrice: number | null;
  occurredAt: number;
  /** When Postgres recorded it (epoch ms), where known: read with a message's events (the feature lag metric). */
  recordedAt?: number;
}

/** The users whose recommendations `events` may change, in order of first appearance, each with whether its cart
 * may have changed too (a cart event was among its events). */
export function changedUsers(events: readonly StoredEvent[]): Array<{ userId: string; cart: boolean }> {
  const cart = new Map<string, boolean>();
  for (const e of events) cart.set(e.userId, (cart.get(e.userId) ?? false) || CART_EVENT_TYPES.has(e.type));
  return [...cart].map(([userId, changed]) => ({ userId, cart: changed }));
}
