// Graceful shutdown of a real process: SIGTERM closes WebSockets with 1001, finishes in-flight work, exits 0.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TokenService } from '../src/auth/tokens';
import { freePort, spawnPlatform } from './support/process';
import { testEnv } from './support/platform';

describe('graceful shutdown', () => {
  it('closes WebSockets with 1001 and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const env = await testEnv({ PORT: String(port), ROLE: 'all' });
    const proc = spawnPlatform(env);
    await proc.started;
    const token = await new TokenService(env.JWT_SECRET!).sign({ sub: 'u1', role: 'shopper' });
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const acked = new Promise<void>((resolve) => socket.on('message', (d) => JSON.parse(String(d)).type === 'connection_ack' && resolve()));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    await acked;
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { recommendationsUpdated(userId: "u1") { id } }' } }));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    proc.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    expect(proc.output()).toContain('platform stopped');
  });
});
