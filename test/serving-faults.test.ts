// Recommendations after a Postgres hiccup: a failed look-up of the experiment or the active model is not kept,
// so the first request after Postgres is back is served (issue 20).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, fileDatabaseUrl, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';
import { TcpProxy } from './support/tcp-proxy';

const RECOMMEND = `query($u: ID!) { recommendations(userId: $u, limit: 5) { model items { product { id } } } }`;

const proxy = new TcpProxy('127.0.0.1', 5432);
let t: TestPlatform;

beforeAll(async () => {
  await proxy.start();
  const url = new URL(await fileDatabaseUrl());
  url.port = String(proxy.port);
  // The API alone, through the proxy: nothing looks the experiment up before the first request.
  t = await startTestPlatform({ ROLE: 'api', DATABASE_URL: url.toString() });
});
afterAll(async () => {
  await t?.stop();
  await proxy.stop();
});

describe('model serving', () => {
  it('serves recommendations again once Postgres is back, after a first look-up that failed', async () => {
    const service = await t.token('service');
    const user = uniqueId('u');
    await proxy.stop();
    const down = await t.gql(RECOMMEND, { u: user }, service);
    expect(down.errors?.[0]?.extensions?.code).toBeDefined();
    await proxy.start();
    // Postgres answers through the platform again (the catalog is read from it)...
    await eventually(async () => !(await t.gql(`{ products(first: 1) { edges { node { id } } } }`)).errors, 10_000, 'Postgres back');
    // ...and so do recommendations, from the first request on.
    const back = await t.gql(RECOMMEND, { u: user }, service);
    expect(back.errors).toBeUndefined();
    expect(back.data.recommendations.items).toBeInstanceOf(Array);
  });
});
