import { describe, expect, it } from 'vitest';
import { decayFactor, EVENT_WEIGHTS, planFeatureWrites } from '../src/services/feature-updates';
import type { StoredEvent } from '../src/store/events';

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
    expect([...plan.users].sort()).toEqual(['u1', 'u2', 'u3']);
  });

  it('gives impressions and removals no positive signal but still counts them', () => {
    const plan = planFeatureWrites(
      [ev({ userId: 'u', productId: 'p', type: 'REMOVE_FROM_CART' }, 1), ev({ userId: 'u', productId: null, type: 'IMPRESSION' }, 2)],
      { users: new Map(), sessions: new Map() },
    );
    expect(plan.popularity.size).toBe(0);
    expect(plan.productStats.get('p')?.get('REMOVE_FROM_CART')).toBe(1);
    expect(plan.users.has('u')).toBe(true);
  });

  it('keeps popularity ratios exact across time with forward decay (half-life one day)', () => {
    expect(decayFactor(T0 + 86_400_000) / decayFactor(T0)).toBeCloseTo(2, 10);
  });
});
