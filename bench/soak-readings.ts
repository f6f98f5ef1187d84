// What `npm run soak` reads every minute, apart from its own counters: each process's resident memory (from /proc),
// its Prometheus figures (/metrics: event-loop delay, heap, queues, outbox, events), the deployment's Postgres
// database size and its Redis footprint, by key family (so that growth by design, such as retention windows,
// can be told from a leak).
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import pg from 'pg';
import type { Redis } from '../src/store/redis';

/** Resident set size of a process in MB, from /proc (Linux); NaN elsewhere or once it exited. */
export function rssMb(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format, samples only (comments, HELP and TYPE lines skipped). */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels pass `where` (all of them without it); NaN when there are none. */
export function metric(samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  const hits = samples.filter((s) => s.name === name && where(s.labels));
  return hits.length ? hits.reduce((sum, s) => sum + s.value, 0) : NaN;
}

/**
 * A process's /metrics, with the bearer token a production deployment requires. prom-client's event-loop delay
 * figures (nodejs_eventloop_lag_p99_seconds…) cover the time since the previous scrape, so the soak scrapes each
 * process exactly once a minute. An unreachable process gives no samples (its figures show as n/a).
 */
export async function scrape(port: number, token: string): Promise<Sample[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return parsePrometheus(await res.text());
  } catch (err) {
    console.error(`scrape of :${port}/metrics failed: ${(err as Error).message}`);
    return [];
  }
}

/** Size of the deployment's database in MB. */
export async function postgresMb(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
  return Number(rows[0]!.size) / 2 ** 20;
}

export interface RedisFootprint {
  /** The server's used_memory, MB (shared with whatever else uses this Redis server). */
  serverMb: number;
  /** This deployment's keys and their estimated size (MB), by key family. */
  families: Map<string, { keys: number; mb: number }>;
  keys: number;
  mb: number;
}

/** How many keys of each family MEMORY USAGE is asked about; the family's size is extrapolated from them. */
const SIZE_SAMPLE = 100;

/**
 * The deployment's Redis footprint: every key under its prefix counted by family (the key with every segment that
 * holds a digit replaced by `*`: `f:u:*:items`, `bull:apply-events:*`), and each family's size estimated from
 * MEMORY USAGE of up to SIZE_SAMPLE of its keys (asking for every key each minute would itself load a shared Redis).
 */
export async function redisFootprint(redis: Redis, prefix: string): Promise<RedisFootprint> {
  const serverMb = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]) / 2 ** 20;
  const byFamily = new Map<string, string[]>();
  let counted = 0;
  const counts = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const family = key
        .slice(prefix.length + 1)
        .split(':')
        .map((s) => (/\d/.test(s) ? '*' : s))
        .join(':');
      counts.set(family, (counts.get(family) ?? 0) + 1);
      counted++;
      let sample = byFamily.get(family);
      if (!sample) byFamily.set(family, (sample = []));
      if (sample.length < SIZE_SAMPLE) sample.push(key);
    }
  } while (cursor !== '0');
  const families = new Map<string, { keys: number; mb: number }>();
  let mb = 0;
  for (const [family, sample] of byFamily) {
    const pipeline = redis.pipeline();
    for (const key of sample) pipeline.memory('USAGE', key);
    const sizes = ((await pipeline.exec()) ?? []).map(([, v]) => Number(v ?? 0));
    const mean = sizes.reduce((s, v) => s + v, 0) / Math.max(1, sizes.length);
    const estimate = (mean * counts.get(family)!) / 2 ** 20;
    families.set(family, { keys: counts.get(family)!, mb: estimate });
    mb += estimate;
  }
  return { serverMb, families, keys: counted, mb };
}

/** Node flags that make V8 print one line after each full collection (mark-compact), none after scavenges. */
export const TRACE_FULL_GC = ['--trace-gc', '--trace-gc-ignore-scavenger'];

/** The heap after one full collection: what is still reachable (live) and what V8 keeps committed, in MB. */
export interface FullGc {
  live: number;
  committed: number;
  /** The V8 isolate that collected: a process has more than its main thread's (tsx's module loader runs on a
   * thread of its own, a worker trains on another). */
  isolate: string;
}

/** The isolate of a process's main thread among its collections: the one that holds the most. */
export function mainIsolate(gcs: FullGc[]): string | undefined {
  const most = new Map<string, number>();
  for (const g of gcs) most.set(g.isolate, Math.max(most.get(g.isolate) ?? 0, g.live));
  return [...most].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Calls `onGc` for each full collection a process started with TRACE_FULL_GC reports on `stream`
 * (`[pid:0x…] 123 ms: Mark-Compact 250.1 (301.0) -> 93.4 (290.2) MB, …`). The live heap after a full collection is the leak signal:
 * heap used read at an arbitrary moment swings with the garbage not collected yet, and resident memory with V8's
 * and the allocator's sizing.
 */
export function watchFullGcs(stream: Readable, onGc: (gc: FullGc) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\[\d+:(0x[0-9a-f]+)\].*Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
      if (m) onGc({ isolate: m[1]!, live: Number(m[2]), committed: Number(m[3]) });
    }
  });
}
