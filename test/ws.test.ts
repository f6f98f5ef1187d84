import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from './support/platform';

let t: TestPlatform;
beforeAll(async () => {
  // A small depth limit so that the catalog schema can exceed it.
  t = await startTestPlatform({ GRAPHQL_MAX_DEPTH: '3' });
});
afterAll(() => t.stop());

/** Opens a raw graphql-transport-ws socket, sends connection_init and resolves with the first message or the close. */
function rawConnect(params: Record<string, unknown>): Promise<{ message?: any; close?: { code: number; reason: string } }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
    socket.on('message', (data) => {
      resolve({ message: JSON.parse(String(data)) });
      socket.close();
    });
    socket.on('close', (code, reason) => resolve({ close: { code, reason: String(reason) } }));
    socket.on('error', reject);
  });
}

async function runOnce(client: ReturnType<TestPlatform['ws']>, query: string) {
  const results: any[] = [];
  for await (const r of client.iterate({ query })) results.push(r);
  return results;
}

describe('graphql-ws on /graphql', () => {
  it('acknowledges a good token and anonymous connections', async () => {
    expect((await rawConnect({ authorization: `Bearer ${await t.token('admin')}` })).message).toMatchObject({ type: 'connection_ack' });
    expect((await rawConnect({})).message).toMatchObject({ type: 'connection_ack' });
  });

  it('closes with 4403 on a bad or expired token before anything is subscribed', async () => {
    expect((await rawConnect({ authorization: 'Bearer garbage' })).close?.code).toBe(4403);
    const expired = await t.token('admin', 'a', -5);
    expect((await rawConnect({ authorization: `Bearer ${expired}` })).close?.code).toBe(4403);
  });

  it('runs queries with the viewer of the connection', async () => {
    const client = t.ws(await t.token('shopper', 'ws-user'));
    const [result] = await runOnce(client, '{ viewer { id role } }');
    expect(result.data.viewer).toEqual({ id: 'ws-user', role: 'shopper' });
  });

  it('applies the same depth limit as HTTP', async () => {
    const deep = '{ products { edges { node { id } } } }';
    const http = await t.gql(deep);
    expect(http.errors?.[0]?.message).toMatch(/depth/i);
    const client = t.ws();
    await expect(runOnce(client, deep)).rejects.toSatisfy((errors: any) =>
      Array.isArray(errors) && /depth/i.test(errors[0].message),
    );
  });

  it('keeps the WebSocket payload limit well below the ws default', async () => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    await new Promise((r) => socket.on('open', r));
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    socket.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});
