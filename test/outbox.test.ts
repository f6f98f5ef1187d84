// The outbox's claim-deliver-mark cycle against the real Postgres: what the relay's at-least-once, never-lost
// and never-twice-at-once guarantees rest on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxStore, type OutboxMessage } from '../src/store/outbox';
import { connectDatabase, type Database } from '../src/store/db';
import { fileDatabaseUrl } from './support/platform';

let db: Database;
let outbox: OutboxStore;
beforeAll(async () => {
  db = connectDatabase(await fileDatabaseUrl());
  outbox = new OutboxStore(db);
});
afterAll(() => db.close());

async function write(n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await db.pool.query(`INSERT INTO outbox (topic, payload) VALUES ('test.topic', $1::json)`, [JSON.stringify({ tag, i })]);
  }
}

describe('outbox relay batches', () => {
  it('marks nothing sent when delivery fails, then delivers every row once, in order', async () => {
    await write(3, 'a');
    await expect(outbox.relayBatch(10, async () => Promise.reject(new Error('redis down')))).rejects.toThrow('redis down');
    expect(await outbox.pending()).toBe(3);

    const delivered: OutboxMessage[] = [];
    expect(await outbox.relayBatch(10, async (m) => void delivered.push(...m))).toBe(3);
    expect(delivered.map((m) => m.payload)).toEqual([0, 1, 2].map((i) => ({ tag: 'a', i })));
    expect(delivered.map((m) => BigInt(m.id))).toEqual([...delivered.map((m) => BigInt(m.id))].sort((x, y) => (x < y ? -1 : 1)));
    expect(await outbox.pending()).toBe(0);
    expect(await outbox.relayBatch(10, async () => Promise.reject(new Error('nothing to deliver')))).toBe(0);
  });

  it('never hands the same row to two relays running at once', async () => {
    await write(20, 'b');
    const seen: string[][] = [[], []];
    const relay = (k: number) =>
      outbox.relayBatch(10, async (m) => {
        seen[k]!.push(...m.map((x) => x.id));
        // Hold the claim while the other relay claims.
        await new Promise((r) => setTimeout(r, 200));
      });
    const counts = await Promise.all([relay(0), relay(1)]);
    expect(counts).toEqual([10, 10]);
    expect(new Set([...seen[0]!, ...seen[1]!]).size).toBe(20);
    expect(await outbox.pending()).toBe(0);
  });
});
