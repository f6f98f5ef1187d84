// The outbox's claim-deliver-mark cycle against the real Postgres: what the relay's at-least-once, never-lost
// and never-twice-at-once guarantees rest on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { OutboxStore, type OutboxMessage } from '../src/store/outbox';
import { connectDatabase, type Database } from '../src/store/db';
import { RedisKeys } from '../src/store/keys';
import { Queues } from '../src/store/queues';
import { createRedis } from '../src/store/redis';
import { outboxJobId } from '../src/jobs/job';
import { OutboxRelay } from '../src/workers/outbox-relay';
import { eventually, fileDatabaseUrl, uniqueId } from './support/platform';

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
    // Each relay holds its claim until the other one holds one too: both claims are taken at the same time.
    let holding = 0;
    let bothHold!: () => void;
    const both = new Promise<void>((resolve) => (bothHold = resolve));
    const bound = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the relays never held claims at once')), 10_000).unref());
    const relay = (k: number) =>
      outbox.relayBatch(10, async (m) => {
        seen[k]!.push(...m.map((x) => x.id));
        if (++holding === 2) bothHold();
        await Promise.race([both, bound]);
      });
    const counts = await Promise.all([relay(0), relay(1)]);
    expect(counts).toEqual([10, 10]);
    expect(new Set([...seen[0]!, ...seen[1]!]).size).toBe(20);
    expect(await outbox.pending()).toBe(0);
  });
});

describe('hand-off', () => {
  const log = createLogger({ LOG_LEVEL: 'silent', ROLE: 'all' });
  const keys = new RedisKeys(uniqueId('outbox-test'));
  const producer = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'outbox-test', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Nothing listens on port 1: every command fails at once, as with Redis down.
  const nowhere = createRedis('redis://127.0.0.1:1', 'outbox-test-down', { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  nowhere.on('error', () => undefined);
  const queues = new Queues(producer, keys);
  afterAll(async () => {
    const left = await producer.keys(`${keys.prefix}:*`);
    if (left.length) await producer.del(...left);
    await queues.close();
    await producer.quit();
    nowhere.disconnect();
  });

  async function writeEvents(n: number): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    for (let i = 0; i < n; i++) {
      // As the ingest statement writes them: the message names its events by outbox id and carries no payload.
      const { rows } = await db.pool.query(`INSERT INTO outbox (topic, payload) VALUES ('events.recorded', NULL) RETURNING id`);
      out.push({ id: rows[0].id, topic: 'events.recorded', payload: null });
    }
    return out;
  }
  const sent = async (ids: string[]) =>
    Number((await db.pool.query('SELECT count(*) FROM outbox WHERE id = ANY($1::bigint[]) AND sent_at IS NOT NULL', [ids])).rows[0].count);

  it('enqueues handed-off rows at once and marks them sent, leaving young rows to their writer meanwhile', async () => {
    const relay = new OutboxRelay(outbox, queues, log, { markLingerMs: 50 });
    const messages = await writeEvents(3);
    const ids = messages.map((m) => m.id);
    // A relay polling now would leave them alone: they are younger than its grace period.
    expect(await outbox.relayBatch(10, async () => Promise.reject(new Error('must not claim young rows')), 60_000)).toBe(0);
    relay.handOff(messages);
    await eventually(async () => (await sent(ids)) === 3, 5000, 'the hand-off to be marked sent');
    const jobs = await queues.queue('events').getJobs(['waiting']);
    expect(jobs.map((j) => j.id).filter((id) => ids.map(outboxJobId).includes(id!)).sort()).toEqual(ids.map(outboxJobId).sort());
    await relay.stop();
  });

  it('leaves rows it could not enqueue (Redis down) to the relay, which delivers them once', async () => {
    const down = new OutboxRelay(outbox, new Queues(nowhere, keys), log, { markLingerMs: 10 });
    const messages = await writeEvents(2);
    const ids = messages.map((m) => m.id);
    down.handOff(messages);
    await down.stop(); // waits for the failed enqueue
    expect(await sent(ids)).toBe(0);
    const relay = new OutboxRelay(outbox, queues, log);
    expect(await relay.drain()).toBeGreaterThanOrEqual(2);
    expect(await sent(ids)).toBe(2);
    const jobs = await Promise.all(ids.map((id) => queues.queue('events').getJob(outboxJobId(id))));
    expect(jobs.every((j) => j !== undefined)).toBe(true);
    // Handing the same rows off again (a writer that crashed before marking) adds no second job.
    const waiting = await queues.queue('events').getWaitingCount();
    relay.handOff(messages);
    await relay.stop();
    expect(await queues.queue('events').getWaitingCount()).toBe(waiting);
  });
});

describe('outbox pruning', () => {
  it('deletes sent messages past the retention, oldest first and a batch at a time, never an unsent one', async () => {
    const tag = uniqueId('prune');
    const insert = (sentAgoHours: number | null, createdAgoHours: number) =>
      db.pool.query(
        `INSERT INTO outbox (topic, payload, created_at, sent_at) VALUES ('test.prune', $1::json, now() - make_interval(hours => $2), CASE WHEN $3::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $3::float8 * 3600) END)`,
        [JSON.stringify({ tag }), createdAgoHours, sentAgoHours],
      );
    for (let i = 0; i < 3; i++) await insert(200, 201); // sent long ago
    await insert(null, 300); // never sent (its writer and every relay failed): kept for delivery
    await insert(1, 2); // sent an hour ago
    const left = async () => Number((await db.pool.query(`SELECT count(*) FROM outbox WHERE payload->>'tag' = $1`, [tag])).rows[0].count);
    expect(await left()).toBe(5);
    // Other tests' rows were sent moments ago: none is older than the retention.
    expect(await outbox.pruneSent(168 * 3600_000, 2)).toBe(2);
    expect(await outbox.pruneSent(168 * 3600_000, 2)).toBe(1);
    expect(await outbox.pruneSent(168 * 3600_000, 2)).toBe(0);
    expect(await left()).toBe(2);
    const kept = await db.pool.query(`SELECT sent_at FROM outbox WHERE payload->>'tag' = $1 ORDER BY id`, [tag]);
    expect(kept.rows.map((r) => r.sent_at === null)).toEqual([true, false]);
  });
});
