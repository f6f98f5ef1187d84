// A live list's state between pushes: what it reuses from one push to the next, and when it reads again.
import { describe, expect, it } from 'vitest';
import { LIVE_MODEL_HISTORY_MS, LiveListState } from '../src/services/live-list';
import type { ModelPart } from '../src/services/live-list';

describe('LiveListState', () => {
  it('reuses the model\'s part (history and scores) for LIVE_MODEL_HISTORY_MS per model version, and reads it again after', async () => {
    let now = 5_000_000;
    const state = new LiveListState(async () => [], () => now);
    let reads = 0;
    const read = async (): Promise<ModelPart> => ({ history: [{ item: `p${++reads}`, weight: 1, lastAt: now }], candidates: new Map() });
    const history = async (version: string) => (await state.next().modelPart(version, read)).history.map((h) => h.item);

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
    const part: ModelPart = { history: [{ item: 'p', weight: 1, lastAt: 0 }], candidates: new Map([['q', 1]]) };
    const read = async (): Promise<ModelPart> => {
      if (++calls === 1) throw new Error('Postgres away');
      return part;
    };
    await expect(state.next().modelPart('mv_a', read)).rejects.toThrow('Postgres away');
    expect(await state.next().modelPart('mv_a', read)).toBe(part);
  });
});
