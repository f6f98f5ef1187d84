// A child process of bench/subscribers.ts: holds its share of the subscribers as raw `ws` sockets speaking
// graphql-transport-ws (one socket, one subscription each, as a browser tab would), so that the sockets count
// against this process's open-file limit and not the bench's or the API's. Talks to the parent over IPC only.
import WebSocket from 'ws';
import type { ChildMessage, ChildReport, SubscriberSpec } from './subscribers-protocol';

interface Subscriber {
  spec: SubscriberSpec;
  socket: WebSocket;
  /** The last payload received (JSON), to count pushes of an unchanged value. */
  last?: string;
  impressions?: number;
}

const KPI_QUERY = 'subscription($campaignId: ID!) { campaignKpisUpdated(campaignId: $campaignId) { campaignId impressions clicks ctr addToCarts conversions } }';
const RECS_QUERY = 'subscription($userId: ID!) { recommendationsUpdated(userId: $userId, limit: 10) { userId model items { score product { id } } } }';
/** Handshakes in flight at once per child: more only queues them in the API's accept backlog. */
const OPENING = 100;

const subscribers: Subscriber[] = [];
const pushes = { kpi: 0, recs: 0 };
const duplicates = { kpi: 0, recs: 0 };
let closed = 0;
let errors = 0;
/** The fan-out being timed: when each of the campaign's KPI subscribers first saw `impressions` reach the target. */
let watch: { campaignId: string; target: number; arrivals: number[]; expected: number } | undefined;

const send = (report: ChildReport) => process.send!(report);
const now = () => performance.timeOrigin + performance.now();

function open(url: string, spec: SubscriberSpec): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const sub: Subscriber = { spec, socket };
    let settled = false;
    let held = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      held = ok;
      if (ok) subscribers.push(sub);
      resolve(ok);
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.token}` } })));
    socket.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { type: string; payload?: any };
      if (msg.type === 'connection_ack') {
        const payload = spec.kind === 'kpi' ? { query: KPI_QUERY, variables: { campaignId: spec.key } } : { query: RECS_QUERY, variables: { userId: spec.key } };
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
      } else if (msg.type === 'next' && !msg.payload?.errors) {
        onPush(sub, msg.payload);
        settle(true);
      } else if (msg.type === 'error' || msg.type === 'next') {
        errors++;
        settle(false);
      } else if (msg.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.on('error', () => {
      errors++;
      settle(false);
    });
    socket.on('close', () => {
      // A socket held (its first value came) and closed since: the server dropped a subscriber.
      if (held) closed++;
      settle(false);
    });
  });
}

function onPush(sub: Subscriber, payload: { data?: any; errors?: unknown[] }): void {
  const json = JSON.stringify(payload);
  const first = sub.last === undefined;
  if (!first) {
    pushes[sub.spec.kind]++;
    if (json === sub.last) duplicates[sub.spec.kind]++;
  }
  sub.last = json;
  if (sub.spec.kind !== 'kpi') return;
  const impressions = payload.data?.campaignKpisUpdated?.impressions as number | undefined;
  const before = sub.impressions ?? -1;
  sub.impressions = impressions;
  if (watch && sub.spec.key === watch.campaignId && impressions !== undefined && impressions >= watch.target && before < watch.target) {
    watch.arrivals.push(now());
    if (watch.arrivals.length === watch.expected) send({ type: 'arrived', target: watch.target, arrivals: watch.arrivals });
  }
}

async function openAll(url: string, specs: SubscriberSpec[]): Promise<void> {
  const t0 = performance.now();
  let next = 0;
  let ok = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPENING, specs.length) }, async () => {
      while (next < specs.length) {
        if (await open(url, specs[next++]!)) ok++;
        else failed++;
      }
    }),
  );
  send({ type: 'opened', ok, failed, ms: performance.now() - t0 });
}

process.on('message', (msg: ChildMessage) => {
  switch (msg.type) {
    case 'open':
      void openAll(msg.url, msg.specs);
      break;
    case 'counts':
      send({ type: 'counts', pushes: { ...pushes }, duplicates: { ...duplicates }, open: subscribers.length - closed, closed, errors });
      break;
    case 'watch': {
      const expected = subscribers.filter((s) => s.spec.kind === 'kpi' && s.spec.key === msg.campaignId).length;
      watch = { campaignId: msg.campaignId, target: msg.target, arrivals: [], expected };
      if (!expected) send({ type: 'arrived', target: msg.target, arrivals: [] });
      break;
    }
    case 'report':
      // The parent gave up waiting: whatever arrived so far.
      send({ type: 'arrived', target: watch?.target ?? -1, arrivals: watch?.arrivals ?? [] });
      break;
    case 'close':
      for (const s of subscribers) s.socket.terminate();
      process.exit(0);
  }
});
send({ type: 'ready' });
