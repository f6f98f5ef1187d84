// A live list's state between pushes: what it reuses from one push to the next, and when it reads again.
import { describe, expect, it } from 'vitest';
import { LIVE_MODEL_HISTORY_MS, LiveListState } from '../src/services/live-list';
import type { WeightedHistory } from '../src/services/model-blend';

describe('LiveListState', () => {
  it('reuses the history a model scores for LIVE_MODEL_HISTORY_MS per model version, and reads it again after', async () => {
    let now = 5_000_000;
    const state = new LiveListState(async () => [], () => now);
    let reads = 0;
    const read = async (): Promise<WeightedHistory[]> => [{ item: `p${++reads}`, weight: 1, lastAt: now }];
    const history = async (version: string) => (await state.next().modelHistory(version, read)).map((h) => h.item);

    expect(await history('mv_a')).toEqual(['p1']);
    now += LIVE_MODEL_HISTORY_MS - 1;
    expect(await history('mv_a')).toEqual(['p1']);
    // Another model version scores with its own weights: read for it at once.
    expect(await history('mv_b')).toEqual(['p2']);
    now += LIVE_MODEL_HISTORY_MS;
    expect(await history('mv_b')).toEqual(['p3']);
    // Announcements were missed: everything is read again.
    state.reset();
    expect(await history('mv_b')).toEqual(['p4']);
    expect(reads).toBe(4);
  });

  it('does not keep a failed read', async () => {
    const state = new LiveListState(async () => []);
    let calls = 0;
    const read = async (): Promise<WeightedHistory[]> => {
      if (++calls === 1) throw new Error('Postgres away');
      return [{ item: 'p', weight: 1, lastAt: 0 }];
    };
    await expect(state.next().modelHistory('mv_a', read)).rejects.toThrow('Postgres away');
    expect(await state.next().modelHistory('mv_a', read)).toEqual([{ item: 'p', weight: 1, lastAt: 0 }]);
  });
});
