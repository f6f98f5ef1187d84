import { describe, expect, it } from 'vitest';
import { DECAY_EPOCH_MS, decayFactor, EVENT_WEIGHTS, planFeatureWrites, SEQUENTIAL_STEPS, type RecentItems } from '../src/domain/feature-updates';
import type { StoredEvent } from '../src/domain/events';

const T0 = Date.UTC(2026, 10, 1);
function ev(partial: Partial<StoredEvent> & Pick<StoredEvent, 'userId' | 'productId'>, i: number): StoredEvent {
  return { id: `e${i}`, type: 'VIEW', sessionId: null, category: 'c', campaignId: null, attributedCampaignId: null, recommendationId: null, quantity: 1, unitPrice: null, occurredAt: T0 + i * 1000, ...partial };
}

describe('planFeatureWrites', () => {
  it('aggregates a hot product into one popularity increment per batch', () => {
    const events = Array.from({ length: 500 }, (_, i) => ev({ userId: `u${i}`, productId: i % 2 ? 'hot' : `cold${i}` }, i));
    const plan = planFeatureWrites(events, { users: new Map(), sessions: new Map() });
    expect(plan.popularity.size).toBe(251);
    const expected = events.filter((e) => e.productId === 'hot').reduce((s, e) => s + decayFactor(e.occurredAt), 0);
    expect(plan.popularity.get('hot')).toBeCloseTo(expected, 6);
    expect(plan.productStats.get('hot')?.get('VIEW')).toBe(250);
  });

  it('pairs an event with the user and session history, both ways, within the batch too', () => {
    const recent = { users: new Map([['u1', new Map([['old', T0 - 1000]])]]), sessions: new Map() };
    const plan = planFeatureWrites(
      [ev({ userId: 'u1', productId: 'a', type: 'CLICK' }, 1), ev({ userId: 'u2', productId: 'b', sessionId: 's' }, 2), ev({ userId: 'u3', productId: 'c', sessionId: 's' }, 3)],
      recent,
    );
    expect(plan.coOccurrence.get('a')?.get('old')).toBe(EVENT_WEIGHTS.CLICK);
    expect(plan.coOccurrence.get('old')?.get('a')).toBe(EVENT_WEIGHTS.CLICK);
    // Different users in one session are paired through the session.
    expect(plan.coOccurrence.get('c')?.get('b')).toBe(EVENT_WEIGHTS.VIEW);
    expect(plan.coOccurrence.get('b')?.get('c')).toBe(EVENT_WEIGHTS.VIEW);
    expect(plan.coOccurrence.has('u2')).toBe(false);
  });

  it('gives impressions and removals no positive signal but still counts them', () => {
    const plan = planFeatureWrites(
      [ev({ userId: 'u', productId: 'p', type: 'REMOVE_FROM_CART' }, 1), ev({ userId: 'u', productId: null, type: 'IMPRESSION' }, 2)],
      { users: new Map(), sessions: new Map() },
    );
    expect(plan.popularity.size).toBe(0);
    expect(plan.productStats.get('p')?.get('REMOVE_FROM_CART')).toBe(1);
  });

  it('keeps popularity ratios exact across time with forward decay (half-life one day)', () => {
    expect(decayFactor(T0 + 86_400_000) / decayFactor(T0)).toBeCloseTo(2, 10);
  });

  it('counts events from long before the epoch (imported history) as equal, tiny and non-zero', () => {
    const old = Date.UTC(2014, 3, 1);
    expect(decayFactor(old)).toBeGreaterThan(0);
    expect(decayFactor(old)).toBe(decayFactor(Date.UTC(2014, 3, 7)));
    const plan = planFeatureWrites([ev({ userId: 'u', productId: 'a' }, 0), ev({ userId: 'v', productId: 'a' }, 1), ev({ userId: 'w', productId: 'b' }, 2)].map((e) => ({ ...e, occurredAt: old + e.occurredAt - T0 })), { users: new Map(), sessions: new Map() });
    expect(plan.popularity.get('a')).toBe(2 * plan.popularity.get('b')!);
    expect(plan.popularity.get('b')!).toBeLessThan(decayFactor(DECAY_EPOCH_MS - 365 * 86_400_000));
  });
});

// Sequential rules: what is touched after what, within a session, by step.
const T1 = Date.UTC(2026, 5, 1);
const event = (seq: number, productId: string, over: Partial<StoredEvent> = {}): StoredEvent => ({
  id: `e${seq}`,
  type: 'VIEW',
  userId: 'u1',
  sessionId: 's1',
  productId,
  category: null,
  campaignId: null,
  attributedCampaignId: null,
  recommendationId: null,
  quantity: 1,
  unitPrice: null,
  occurredAt: T1 + seq * 1000,
  ...over,
});
const empty = (): RecentItems => ({ users: new Map(), sessions: new Map() });

describe('sequential rules', () => {
  it('count each item after the ones touched just before it, 1/step², forwards only', () => {
    const plan = planFeatureWrites([event(0, 'a'), event(1, 'b'), event(2, 'c')], empty());
    expect(Object.fromEntries(plan.sequential.get('a')!)).toEqual({ b: 1, c: 1 / 4 });
    expect(Object.fromEntries(plan.sequential.get('b')!)).toEqual({ c: 1 });
    expect(plan.sequential.get('c')).toBeUndefined();
  });

  it('follow event time, not the order of a batch, and continue a session read from the store', () => {
    const recent = empty();
    recent.sessions.set('s1', new Map([['x', T1 - 5000]]));
    const plan = planFeatureWrites([event(2, 'c'), event(1, 'b')], recent);
    expect(Object.fromEntries(plan.sequential.get('x')!)).toEqual({ b: 1, c: 1 / 4 });
    expect(Object.fromEntries(plan.sequential.get('b')!)).toEqual({ c: 1 });
  });

  it('weigh by event type, skip a repeat of the item itself, and reach back SEQUENTIAL_STEPS items', () => {
    expect(SEQUENTIAL_STEPS).toBe(3);
    const events = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map((p, i) => event(i, p));
    events.push(event(6, 'p3', { type: 'ADD_TO_CART' }));
    const after = (p: string) => plan.sequential.get(p)?.get('p3');
    const plan = planFeatureWrites(events, empty());
    // The view of p3 after p2, p1, p0; the cart (weight 3) after p5, p4, p2 (p3 itself skipped, p1 and p0 too far).
    expect(after('p5')).toBeCloseTo(3, 12);
    expect(after('p4')).toBeCloseTo(3 / 4, 12);
    expect(after('p2')).toBeCloseTo(1 + 3 / 9, 12);
    expect(after('p1')).toBeCloseTo(1 / 4, 12);
    expect(after('p0')).toBeCloseTo(1 / 9, 12);
    expect(after('p3')).toBeUndefined();
  });

  it('stay within a session: another session of the same shopper starts afresh', () => {
    const plan = planFeatureWrites([event(0, 'a'), event(1, 'b', { sessionId: 's2' })], empty());
    expect(plan.sequential.size).toBe(0);
  });
});
