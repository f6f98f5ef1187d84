// Issue 19, point 2: per-client limits on both transports, tried from outside over real HTTP and a real
// graphql-ws client, with the shared counters in the real Redis. Each platform here runs with limits low enough
// to reach in a few requests.
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../src/config';
import { clientKeyAddress } from '../src/http/client-ip';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { TcpProxy } from './support/tcp-proxy';

const VIEWER = '{ viewer { id role } }';
const RECOMMENDATIONS = 'subscription($u: ID!) { recommendationsUpdated(userId: $u) { id } }';

interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(t: TestPlatform, opts: { token?: string; forwardedFor?: string; query?: string } = {}): Promise<HttpAnswer> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}),
    },
    body: JSON.stringify({ query: opts.query ?? VIEWER }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as HttpAnswer['body'] };
}

/** Sends `n` requests one after the other; the statuses in order. */
async function statuses(t: TestPlatform, n: number, opts: Parameters<typeof post>[1]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await post(t, opts)).status);
  return out;
}

function expectRateLimited(answer: HttpAnswer): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
  expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'http_requests', retryAfter: Number(answer.retryAfter) });
}

/** The value of `rate_limited_total{limit="…"}` in /metrics (0 when absent). */
async function refusals(t: TestPlatform, limit: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const match = new RegExp(`^rate_limited_total\\{limit="${limit}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

type Closed = { code: number; reason: string };

/** A raw graphql-transport-ws socket: resolves once acknowledged, or with the close that refused it. */
function rawSocket(t: TestPlatform, params: Record<string, unknown> = {}) {
  const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
  const closed = new Promise<Closed>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const ready = new Promise<'ack' | Closed>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve('ack');
    });
    void closed.then(resolve);
    socket.on('error', reject);
  });
  return { socket, ready, closed };
}

/** Resolves with a close, or rejects after `ms` (the limit did not act). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

/** Subscribes once: resolves with the first result or the error that refused the operation. */
function firstOf(client: Client, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> {
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => resolve(value as { data?: any }),
        error: (err) => resolve({ errors: Array.isArray(err) ? err : [err] }),
        complete: () => undefined,
      },
    );
  });
}

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({
    HTTP_RATE_LIMIT_TOKEN: '5',
    HTTP_RATE_LIMIT_IP: '5',
    // Tests pick their anonymous callers' addresses through a trusted proxy's header.
    TRUST_PROXY: '1',
    WS_MAX_SUBSCRIPTIONS: '5',
    WS_MAX_SOCKETS_TOKEN: '2',
    WS_CONNECT_RATE_LIMIT_TOKEN: '3',
    WS_MESSAGE_RATE_LIMIT_TOKEN: '40',
    WS_IDLE_TIMEOUT_MS: '1000',
    RATE_LIMIT_SYNC_MS: '20',
  });
});
afterAll(() => t?.stop());

describe('HTTP request rate', () => {
  it('refuses a shopper over its rate with 429, Retry-After and RATE_LIMITED, counts it, and serves everyone else', async () => {
    const sub = uniqueId('hammer');
    const token = await t.token('shopper', sub);
    expect(await statuses(t, 5, { token })).toEqual([200, 200, 200, 200, 200]);
    const before = await refusals(t, 'http_requests');
    expectRateLimited(await post(t, { token }));
    // Counted by subject: a second token of the same shopper does not start afresh.
    expectRateLimited(await post(t, { token: await t.token('shopper', sub) }));
    expect(await refusals(t, 'http_requests')).toBe(before + 2);

    // Meanwhile another shopper, an anonymous caller and the storefront's service token are served.
    const other = await post(t, { token: await t.token('shopper'), query: '{ products(first: 1) { edges { node { id } } } }' });
    expect(other.status).toBe(200);
    expect(other.body.errors).toBeUndefined();
    expect((await post(t, { forwardedFor: '198.51.100.20' })).status).toBe(200);
    const service = await t.token('service');
    expect(await statuses(t, 8, { token: service })).toEqual(Array(8).fill(200));
  });

  it('counts anonymous callers by address: one address refused, the next one served', async () => {
    expect(await statuses(t, 5, { forwardedFor: '198.51.100.7' })).toEqual([200, 200, 200, 200, 200]);
    expectRateLimited(await post(t, { forwardedFor: '198.51.100.7' }));
    // Behind one trusted proxy the client is the last entry the proxy added, not what the client claimed before it.
    expectRateLimited(await post(t, { forwardedFor: '203.0.113.1, 198.51.100.7' }));
    expect((await post(t, { forwardedFor: '198.51.100.8' })).status).toBe(200);
  });
});

describe('WebSocket limits', () => {
  it('refuses operations beyond the cap per socket with RATE_LIMITED, keeps the socket and serves other clients', async () => {
    const sub = uniqueId('subs');
    const client = t.ws(await t.token('shopper', sub));
    const before = await refusals(t, 'ws_subscriptions');
    // The attack was 1,000 subscriptions on one socket; 20 show the cap as well.
    const answers = await Promise.all(Array.from({ length: 20 }, () => firstOf(client, RECOMMENDATIONS, { u: sub })));
    const served = answers.filter((a) => a.data?.recommendationsUpdated);
    const refused = answers.filter((a) => a.errors);
    expect(served).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const a of refused) expect(a.errors![0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'ws_subscriptions' } });
    expect(await refusals(t, 'ws_subscriptions')).toBe(before + 15);

    // While the five live subscriptions hold every slot, a query is refused too (not queued)…
    const sixth = await firstOf(client, VIEWER, {});
    expect(sixth.errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    // …and other clients are served meanwhile, over WebSocket and HTTP.
    const other = t.ws(await t.token('shopper'));
    expect((await firstOf(other, VIEWER, {})).data.viewer.role).toBe('shopper');
    expect((await post(t, { token: await t.token('shopper') })).status).toBe(200);
  });

  it('closes a connection beyond the sockets a shopper may hold at once with 4429', async () => {
    const token = await t.token('shopper');
    const before = await refusals(t, 'ws_sockets');
    const first = rawSocket(t, { authorization: `Bearer ${token}` });
    const second = rawSocket(t, { authorization: `Bearer ${token}` });
    expect(await first.ready).toBe('ack');
    expect(await second.ready).toBe('ack');
    const third = rawSocket(t, { authorization: `Bearer ${token}` });
    expect(await third.ready).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many sockets/i) });
    expect(await refusals(t, 'ws_sockets')).toBe(before + 1);
    // One closes: its place is free again.
    first.socket.close();
    await first.closed;
    const again = rawSocket(t, { authorization: `Bearer ${token}` });
    expect(await again.ready).toBe('ack');
    second.socket.close();
    again.socket.close();
  });

  it('closes a connection beyond the connection rate with 4429, even with no other socket open', async () => {
    const token = await t.token('shopper');
    const before = await refusals(t, 'ws_connections');
    for (let i = 0; i < 3; i++) {
      const s = rawSocket(t, { authorization: `Bearer ${token}` });
      expect(await s.ready).toBe('ack');
      s.socket.close();
      await s.closed;
    }
    const fourth = rawSocket(t, { authorization: `Bearer ${token}` });
    expect(await fourth.ready).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many connections: retry in \d+ s/i) });
    expect(await refusals(t, 'ws_connections')).toBe(before + 1);
  });

  it('closes a socket that sends messages beyond the message rate with 4429', async () => {
    const s = rawSocket(t, { authorization: `Bearer ${await t.token('shopper')}` });
    expect(await s.ready).toBe('ack');
    const before = await refusals(t, 'ws_messages');
    for (let i = 0; i < 60 && s.socket.readyState === WebSocket.OPEN; i++) s.socket.send(JSON.stringify({ type: 'ping' }));
    expect(await within(s.closed, 5000, 'close')).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many messages/i) });
    expect(await refusals(t, 'ws_messages')).toBe(before + 1);
  });

  it('closes an acknowledged socket that holds no subscription after the idle timeout, and keeps one that does', async () => {
    const sub = uniqueId('idle');
    // Opened first, so that its idle deadline comes before the idle socket's.
    const busy = t.ws(await t.token('shopper', sub));
    expect((await firstOf(busy, RECOMMENDATIONS, { u: sub })).data.recommendationsUpdated).toBeTruthy();
    const busyClosed = new Promise<void>((resolve) => busy.on('closed', () => resolve()));
    let busyOpen = true;
    void busyClosed.then(() => (busyOpen = false));

    const before = await refusals(t, 'ws_idle');
    const idle = rawSocket(t);
    expect(await idle.ready).toBe('ack');
    expect(await within(idle.closed, 10_000, 'idle close')).toMatchObject({ code: 1000, reason: expect.stringMatching(/idle/i) });
    // (other tests' sockets left without a subscription may be closed at about the same time)
    expect(await refusals(t, 'ws_idle')).toBeGreaterThan(before);
    expect(busyOpen).toBe(true);
    // The subscribed socket still works.
    expect((await firstOf(busy, VIEWER, {})).errors).toBeUndefined();
  });
});

describe('limits shared across API instances', () => {
  it('refuses on a second instance what the first one already served, through the counters in Redis', async () => {
    const second = await startTestPlatform({ ...t.env, ROLE: 'api', PORT: '0' });
    try {
      const sub = uniqueId('shared');
      const token = await t.token('shopper', sub);
      // The shared counter's key (src/store/keys.ts, rateLimit).
      const key = `${t.env.REDIS_PREFIX}:rl:http:t:${sub}`;
      expect(await statuses(t, 5, { token })).toEqual([200, 200, 200, 200, 200]);
      await waitFor(async () => Number(await t.platform.redis.get(key)) === 5, 'the first instance to report 5 requests');
      // The second instance has not seen this shopper: it serves one request, learns the total when it reports
      // it, and refuses from then on (it would serve five on its own).
      let servedBySecond = 0;
      let answer = await post(second, { token });
      while (answer.status === 200 && servedBySecond < 5) {
        servedBySecond++;
        const expected = 5 + servedBySecond;
        await waitFor(async () => Number(await t.platform.redis.get(key)) >= expected, 'the second instance to report');
        answer = await post(second, { token });
      }
      expect(servedBySecond).toBe(1);
      expectRateLimited(answer);
    } finally {
      await second.stop();
    }
  });
});

describe('Redis down, and an address the client writes itself', () => {
  let proxy: TcpProxy;
  let p: TestPlatform;
  beforeAll(async () => {
    proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.start();
    p = await startTestPlatform({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      HTTP_RATE_LIMIT_TOKEN: '3',
      HTTP_RATE_LIMIT_IP: '3',
      RATE_LIMIT_SYNC_MS: '20',
    });
  });
  afterAll(async () => {
    await proxy.start();
    await p?.stop();
    await proxy.stop();
  });

  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(p, { forwardedFor: `192.0.2.${i}` }));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([200, 200, 200]);
    expectRateLimited(answers[3]!);
  });

  it('keeps answering while Redis is down, each instance limiting on its own, never a 500', async () => {
    await proxy.stop();
    await waitFor(async () => p.platform.redis.status !== 'ready', 'the Redis connection to drop');
    const token = await p.token('shopper');
    const answers: HttpAnswer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(p, { token }));
    expect(answers.slice(0, 3).map((a) => [a.status, a.body.data?.viewer?.role])).toEqual(Array(3).fill([200, 'shopper']));
    expectRateLimited(answers[3]!);
    expect((await post(p, { token: await p.token('shopper') })).status).toBe(200);
  });
});

describe('limit settings', () => {
  it('exempts service and admin tokens by default, none on request, and refuses an unknown role', () => {
    expect(loadConfig({}).RATE_LIMIT_EXEMPT_ROLES).toEqual(['service', 'admin']);
    expect(loadConfig({ RATE_LIMIT_EXEMPT_ROLES: 'none' }).RATE_LIMIT_EXEMPT_ROLES).toEqual([]);
    expect(() => loadConfig({ RATE_LIMIT_EXEMPT_ROLES: 'service,root' })).toThrow(/RATE_LIMIT_EXEMPT_ROLES: unknown role\(s\) root/);
  });
});

describe('the address a limit counts', () => {
  it('counts IPv6 clients by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(clientKeyAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKeyAddress('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
    expect(clientKeyAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKeyAddress('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientKeyAddress('198.51.100.7')).toBe('198.51.100.7');
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
