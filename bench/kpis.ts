// npm run bench:kpis — how many KPI-bearing events per second the workers absorb while 100 subscribers watch
// 10 campaigns, and the push delay those subscribers see. API and worker run as separate processes.
// Prints figures only; results go to BENCHMARKS.md by hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TokenService } from '../src/auth/tokens';
import { dropDatabase, migrate } from '../src/store/migrator';

const ROOT = join(import.meta.dirname, '..');
const CAMPAIGNS = 10;
const SUBSCRIBERS_PER_CAMPAIGN = 10;
const PORT = 4700 + Math.floor(Math.random() * 200);
const SECRET = 'bench-secret-0123456789abcdef';
const run = randomBytes(3).toString('hex');
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/flywheel_bench_kpis_${run}`;
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_PREFIX: `bench-kpis-${run}`,
  JWT_SECRET: SECRET,
  LOG_LEVEL: 'warn',
  MIGRATE_ON_START: 'false',
  TRAIN_INTERVAL_MS: '0',
  TRAIN_AFTER_EVENTS: '0',
};

function start(role: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...env, ROLE: role, PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b;
      if (out.includes('platform started')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}): ${out.slice(-1000)}`)));
  });
}

const url = `http://127.0.0.1:${PORT}/graphql`;
async function gql(query: string, variables: Record<string, unknown>, token: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function main() {
  await migrate(databaseUrl);
  const api = await start('api', PORT);
  const worker = await start('worker', PORT + 1);
  const tokens = new TokenService(SECRET);
  const admin = await tokens.sign({ sub: 'bench', role: 'admin' });
  const service = await tokens.sign({ sub: 'bench', role: 'service' });
  const clients: Client[] = [];
  try {
    await gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, name: `P${i}`, category: 'c', price: 10, stock: 1_000_000 })) }, admin);
    const campaigns: string[] = [];
    for (let i = 0; i < CAMPAIGNS; i++) {
      const c = await gql(`mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`, { i: { name: `C${i}`, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), budget: 1 } }, admin);
      campaigns.push(c.createCampaign.id);
    }
    // 100 subscribers: each records when its campaign's impressions reach a value.
    const reached = new Map<string, Array<{ impressions: number; at: number }>>(campaigns.map((c) => [c, []]));
    let pushes = 0;
    await Promise.all(
      campaigns.flatMap((id) =>
        Array.from({ length: SUBSCRIBERS_PER_CAMPAIGN }, (_, k) =>
          new Promise<void>((resolve, reject) => {
            const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${admin}` }, retryAttempts: 0 });
            clients.push(client);
            let first = true;
            client.subscribe<any>({ query: `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { impressions } }`, variables: { id } }, {
              next: (r) => {
                pushes++;
                if (k === 0) reached.get(id)!.push({ impressions: r.data.campaignKpisUpdated.impressions, at: performance.now() });
                if (first) {
                  first = false;
                  resolve();
                }
              },
              error: reject,
              complete: () => undefined,
            });
          }),
        ),
      ),
    );
    console.log(`subscribed: ${CAMPAIGNS * SUBSCRIBERS_PER_CAMPAIGN} subscribers on ${CAMPAIGNS} campaigns`);

    const rows: string[] = [];
    let seq = 0;
    for (const rate of [500, 1000, 2000, 4000]) {
      const seconds = 10;
      const batch = Math.max(10, rate / 50); // 50 requests per second
      const sentAt = new Map<string, Array<{ count: number; at: number }>>(campaigns.map((c) => [c, []]));
      const counts = new Map<string, number>(campaigns.map((c) => [c, 0]));
      // Counts before this round, so that each round measures its own events.
      const base = new Map(campaigns.map((c) => [c, reached.get(c)!.at(-1)?.impressions ?? 0]));
      for (const c of campaigns) counts.set(c, base.get(c)!);
      const pushesBefore = pushes;
      const t0 = performance.now();
      let sent = 0;
      const inflight: Promise<void>[] = [];
      while (performance.now() - t0 < seconds * 1000) {
        const tick = performance.now();
        const events = Array.from({ length: batch }, () => {
          const c = campaigns[seq % CAMPAIGNS]!;
          return { id: `e${run}-${seq++}`, type: 'IMPRESSION', userId: `u${seq % 5000}`, productId: `p${seq % 50}`, campaignId: c };
        });
        inflight.push(
          gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: events }, service).then(() => {
            const now = performance.now();
            const per = new Map<string, number>();
            for (const e of events) per.set(e.campaignId, (per.get(e.campaignId) ?? 0) + 1);
            for (const [c, n] of per) {
              counts.set(c, counts.get(c)! + n);
              sentAt.get(c)!.push({ count: counts.get(c)!, at: now });
            }
          }),
        );
        sent += events.length;
        await new Promise((r) => setTimeout(r, Math.max(0, 20 - (performance.now() - tick))));
      }
      await Promise.all(inflight);
      const sendSeconds = (performance.now() - t0) / 1000;
      // Wait until every campaign's subscribers saw all of this round's impressions.
      const deadline = performance.now() + 30_000;
      while (campaigns.some((c) => (reached.get(c)!.at(-1)?.impressions ?? 0) < counts.get(c)!) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const absorbedAt = Math.max(...campaigns.map((c) => reached.get(c)!.find((x) => x.impressions >= counts.get(c)!)?.at ?? Infinity));
      const absorbSeconds = (absorbedAt - t0) / 1000;
      // Push delay: from the mutation's response to the first push whose count includes its events.
      const delays: number[] = [];
      for (const c of campaigns) {
        const seen = reached.get(c)!;
        for (const s of sentAt.get(c)!) {
          const push = seen.find((x) => x.impressions >= s.count && x.at >= s.at);
          if (push) delays.push(push.at - s.at);
        }
      }
      delays.sort((x, y) => x - y);
      rows.push(
        `| ${rate} | ${(sent / sendSeconds).toFixed(0)} | ${Number.isFinite(absorbSeconds) ? (sent / absorbSeconds).toFixed(0) : 'n/a'} | ` +
          `${percentile(delays, 50).toFixed(0)} | ${percentile(delays, 95).toFixed(0)} | ${percentile(delays, 99).toFixed(0)} | ${pushes - pushesBefore} |`,
      );
      console.log(rows.at(-1));
    }
    console.log(`\nbench:kpis — ${CAMPAIGNS} campaigns, ${CAMPAIGNS * SUBSCRIBERS_PER_CAMPAIGN} subscribers, API and worker in separate processes`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
    console.log('| target events/s | sent events/s | absorbed events/s | push delay p50 ms | p95 ms | p99 ms | pushes |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('\nPush delay includes the KPI throttle (KPI_THROTTLE_MS = 250 ms): a push waits up to that long by design.');
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await dropDatabase(databaseUrl);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
