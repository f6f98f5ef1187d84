// Issue 19, points 1, 3 and 8, tried from outside over real HTTP and a real graphql-ws client: what a shopper token
// may record (no purchases, no prices, a forbidden event refuses its whole batch), tokens that must expire and not
// live too long (HTTP and WebSocket, admin included; a live socket closed with 4403 at its token's expiry), /metrics
// behind METRICS_TOKEN (API and worker), and security headers on the admin UI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

const METRICS_TOKEN = 'metrics-token-of-enough-length';
const RECORD = `mutation($events: [EventInput!]!) { recordEvents(events: $events) { accepted duplicates } }`;
const RECORD_ONE = `mutation($event: EventInput!) { recordEvent(event: $event) { accepted duplicates } }`;

let t: TestPlatform;
let admin: string;
let service: string;
let db: pg.Pool;
/** A stand-in for the built admin UI (admin-ui/dist is built by npm start and test:e2e, not by npm test). */
const adminUiDir = mkdtempSync(join(tmpdir(), 'flywheel-admin-ui-'));
beforeAll(async () => {
  writeFileSync(join(adminUiDir, 'index.html'), '<!doctype html><title>admin</title><div id="root"></div>');
  t = await startTestPlatform({ METRICS_TOKEN, KPI_THROTTLE_MS: '50' }, { adminUiDir });
  admin = await t.token('admin');
  service = await t.token('service');
  db = new pg.Pool({ connectionString: t.env.DATABASE_URL });
});
afterAll(async () => {
  await t?.stop();
  await db?.end();
  rmSync(adminUiDir, { recursive: true, force: true });
});

/** A product with stock 20 (threshold 5) and a campaign that names it. */
async function shop(): Promise<{ product: string; campaign: string }> {
  const product = uniqueId('sec-p');
  const upserted = await t.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: [{ id: product, name: 'Shoe', category: 'shoes', price: 10, stock: 20, lowStockThreshold: 5 }] }, admin);
  expect(upserted.errors).toBeUndefined();
  const created = await t.gql(
    `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`,
    { i: { name: uniqueId('sec-c'), startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), budget: 100, productIds: [product] } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  return { product, campaign: created.data.createCampaign.id };
}

/** Everything a purchase would move: stock, the ledger, alerts, the events themselves and the campaign's KPIs. */
async function footprint(product: string, campaign: string, user: string) {
  const count = async (sql: string, arg: string) => (await db.query(sql, [arg])).rows[0].n as number;
  const read = await t.gql(`query($p: ID!, $c: ID!) { product(id: $p) { stock } campaign(id: $c) { kpis { clicks conversions revenue } } }`, { p: product, c: campaign }, admin);
  return {
    stock: read.data.product.stock as number,
    kpis: read.data.campaign.kpis,
    movements: await count(`SELECT count(*)::int AS n FROM stock_movements WHERE product_id = $1`, product),
    alerts: await count(`SELECT count(*)::int AS n FROM inventory_alerts WHERE product_id = $1`, product),
    events: await count(`SELECT count(*)::int AS n FROM events WHERE user_id = $1`, user),
    cart: await count(`SELECT count(*)::int AS n FROM cart_items WHERE user_id = $1`, user),
  };
}

/** Waits until the campaign's KPIs show `clicks` clicks: every event recorded before them has been applied. */
async function kpisAfterClicks(campaign: string, clicks: number) {
  const client = t.ws(admin);
  try {
    for await (const r of client.iterate<any>({ query: `subscription($c: ID!) { campaignKpisUpdated(campaignId: $c) { clicks conversions revenue } }`, variables: { c: campaign } })) {
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      if (r.data.campaignKpisUpdated.clicks >= clicks) return r.data.campaignKpisUpdated;
    }
  } finally {
    await client.dispose();
  }
  throw new Error('the KPI subscription ended');
}

describe('trust by role: a shopper token records what a browser sees, for itself', () => {
  it('refuses a shopper PURCHASE (recordEvent): nothing moves; the same purchase from a service is accepted', async () => {
    const { product, campaign } = await shop();
    const user = uniqueId('shopper');
    const shopper = await t.token('shopper', user);
    const before = await footprint(product, campaign, user);

    const fake = { id: uniqueId('e'), type: 'PURCHASE', userId: user, productId: product, campaignId: campaign, quantity: 10_000 };
    const refused = await t.gql(RECORD_ONE, { event: fake }, shopper);
    expect(refused.data).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ field: 'events.0.type', index: 0 })]);
    expect(refused.errors?.[0]?.message).toMatch(/PURCHASE/);

    // A click the shopper may record, as a barrier: once the workers applied it, nothing else is pending.
    const click = { id: uniqueId('e'), type: 'CLICK', userId: user, productId: product, campaignId: campaign };
    expect((await t.gql(RECORD_ONE, { event: click }, shopper)).data?.recordEvent).toEqual({ accepted: 1, duplicates: 0 });
    expect(await kpisAfterClicks(campaign, 1)).toEqual({ clicks: 1, conversions: 0, revenue: 0 });
    expect(await footprint(product, campaign, user)).toEqual({ ...before, events: 1, kpis: { clicks: 1, conversions: 0, revenue: 0 } });

    // The order system's purchase of the same product is a fact: it takes stock and counts as revenue.
    const real = { id: uniqueId('e'), type: 'PURCHASE', userId: user, productId: product, quantity: 2 };
    expect((await t.gql(RECORD_ONE, { event: real }, service)).data?.recordEvent).toEqual({ accepted: 1, duplicates: 0 });
    const after = await footprint(product, campaign, user);
    expect(after).toMatchObject({ stock: 18, movements: before.movements + 1, events: 2 });
  });

  it('refuses a shopper batch with one PURCHASE whole: the views and clicks beside it are not written either', async () => {
    const { product, campaign } = await shop();
    const user = uniqueId('shopper');
    const shopper = await t.token('shopper', user);
    const before = await footprint(product, campaign, user);
    const events = [
      { id: uniqueId('e'), type: 'VIEW', userId: user, productId: product },
      { id: uniqueId('e'), type: 'ADD_TO_CART', userId: user, productId: product, quantity: 2 },
      { id: uniqueId('e'), type: 'PURCHASE', userId: user, productId: product, quantity: 20 },
      { id: uniqueId('e'), type: 'IMPRESSION', userId: user, campaignId: campaign },
    ];
    const refused = await t.gql(RECORD, { events }, shopper);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.extensions?.problems.map((p: any) => p.field)).toEqual(['events.2.type']);
    expect(await footprint(product, campaign, user)).toEqual(before);

    // Without the purchase the same batch is the shopper's to record.
    const allowed = events.filter((e) => e.type !== 'PURCHASE');
    expect((await t.gql(RECORD, { events: allowed }, shopper)).data?.recordEvents).toEqual({ accepted: 3, duplicates: 0 });
  });

  it("never takes a shopper's unitPrice: refused and named, nothing written", async () => {
    const { product, campaign } = await shop();
    const user = uniqueId('shopper');
    const shopper = await t.token('shopper', user);
    const before = await footprint(product, campaign, user);
    const events = [
      { id: uniqueId('e'), type: 'VIEW', userId: user, productId: product },
      { id: uniqueId('e'), type: 'ADD_TO_CART', userId: user, productId: product, unitPrice: 0.01 },
    ];
    const refused = await t.gql(RECORD, { events }, shopper);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.extensions?.problems).toEqual([expect.objectContaining({ field: 'events.1.unitPrice', index: 1 })]);
    expect(await footprint(product, campaign, user)).toEqual(before);
  });
});

/** A correctly signed token with the given claims (no `exp` unless given). */
function signRaw(claims: { sub: string; role: string; iat?: number; exp?: number }): Promise<string> {
  const { sub, iat, exp, role } = claims;
  let jwt = new SignJWT({ role }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub);
  if (iat !== undefined) jwt = jwt.setIssuedAt(iat);
  if (exp !== undefined) jwt = jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(t.env.JWT_SECRET));
}

/** Opens a raw graphql-transport-ws socket, sends connection_init and resolves with the first message or the close. */
function rawConnect(token: string): Promise<{ message?: any; close?: { code: number; reason: string } }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      resolve({ message: JSON.parse(String(data)) });
      socket.close();
    });
    socket.on('close', (code, reason) => resolve({ close: { code, reason: String(reason) } }));
    socket.on('error', reject);
  });
}

async function overHttp(token: string) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { id role } }' }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('token lifetime', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a correctly signed token without exp, admin included, over HTTP and WebSocket', async () => {
    for (const role of ['admin', 'service', 'shopper']) {
      const forever = await signRaw({ sub: `${role}-forever`, role, iat: now() });
      const http = await overHttp(forever);
      expect(http.status).toBe(401);
      expect(http.body.errors[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      expect(http.body.errors[0].message).toMatch(/exp/);
      expect((await rawConnect(forever)).close?.code).toBe(4403);
    }
  });

  it('refuses a token that lives longer than AUTH_MAX_TOKEN_TTL_SECONDS (default a day), with or without iat', async () => {
    const twoDays = await signRaw({ sub: 'long-admin', role: 'admin', iat: now(), exp: now() + 2 * 86_400 });
    const noIat = await signRaw({ sub: 'long-admin', role: 'admin', exp: now() + 2 * 86_400 });
    // Issued long ago, still valid for a minute: its lifetime (exp − iat) is what counts.
    const old = await signRaw({ sub: 'old-admin', role: 'admin', iat: now() - 3 * 86_400, exp: now() + 60 });
    for (const token of [twoDays, noIat, old]) {
      const http = await overHttp(token);
      expect(http.status).toBe(401);
      expect(http.body.errors[0].message).toMatch(/lives too long/);
      expect((await rawConnect(token)).close?.code).toBe(4403);
    }
    const day = await signRaw({ sub: 'day-admin', role: 'admin', iat: now(), exp: now() + 86_400 });
    expect((await overHttp(day)).body.data.viewer).toEqual({ id: 'day-admin', role: 'admin' });
  });

  it('closes a live socket with 4403 when its token expires, subscriptions and all', async () => {
    const user = uniqueId('shopper');
    const token = await t.token('shopper', user, 3);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = t.ws(token, {
        onNonLazyError: () => undefined,
        on: { closed: (e) => resolve({ code: (e as { code: number }).code, reason: (e as { reason: string }).reason }) },
      });
      client.subscribe({ query: `subscription($u: ID!) { recommendationsUpdated(userId: $u) { id } }`, variables: { u: user } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    // A deadline for the test only (the token expires in 3 s): on a server that never closes, fail rather than hang.
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the socket outlived its token')), 20_000).unref());
    expect(await Promise.race([closed, deadline])).toEqual({ code: 4403, reason: 'Token expired' });
  });
});

describe('/metrics behind METRICS_TOKEN', () => {
  it('answers only Prometheus with the bearer token', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toMatch(/graphql_requests/);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-enough-length' } });
    expect(wrong.status).toBe(401);
    const adminToken = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    expect(adminToken.status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/# TYPE \S+ /);
  });

  it('answers nobody in production without METRICS_TOKEN, on a worker too; with it the worker serves Prometheus', async () => {
    const prod = { NODE_ENV: 'production', ROLE: 'worker' };
    const closed = await startTestPlatform(prod);
    const guarded = await startTestPlatform({ ...prod, METRICS_TOKEN });
    try {
      expect((await fetch(`${closed.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${closed.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
      expect((await fetch(`${closed.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    } finally {
      await Promise.all([closed.stop(), guarded.stop()]);
    }
  });
});

describe('security headers', () => {
  it('serves /admin with a CSP, frame protection and nosniff, and leaves the GraphQL landing page and CSRF rules alone', async () => {
    for (const path of ['/admin', '/admin/', '/admin/campaigns']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // Apollo's landing page loads its sandbox from Apollo's CDN: no admin CSP on /graphql.
    const landing = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(landing.status).toBe(200);
    expect(landing.headers.get('content-security-policy')).toBeNull();
    const csrf = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { id } }')}`);
    expect(csrf.status).toBe(400);
  });
});
