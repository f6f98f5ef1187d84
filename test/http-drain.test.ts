// HttpDrain on a real server and raw TCP clients (issue 20): a request that reaches a connection the drain has
// closed or ended is refused unread, never run (its client gets no answer, so nothing may be written); a request
// in flight at the drain is answered, and its connection closed after the answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DrainState, HttpDrain } from '../src/http/drain';

const REQUEST = 'POST /run HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok';

interface Harness {
  drain: HttpDrain;
  port: number;
  /** Requests the handler ran. */
  ran: () => number;
  /** Connections accepted, and those closed on the server's side. */
  connections: () => number;
  refused: () => number;
  /** Answers the requests held by the handler (all of them when `hold` is set). */
  release: () => void;
}

const servers: Array<() => void> = [];
afterEach(() => {
  for (const close of servers.splice(0)) close();
});

async function harness(hold = false): Promise<Harness> {
  const server = createServer();
  let ran = 0;
  let connections = 0;
  let closed = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    socket.once('close', () => closed++);
  });
  const held: ServerResponse[] = [];
  const drain = new HttpDrain(server, new DrainState(), (_req: IncomingMessage, res: ServerResponse) => {
    ran++;
    if (hold) held.push(res);
    else res.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(() => server.closeAllConnections());
  return {
    drain,
    port: (server.address() as AddressInfo).port,
    ran: () => ran,
    connections: () => connections,
    refused: () => closed,
    release: () => {
      for (const res of held.splice(0)) res.end('done');
    },
  };
}

/** A raw client that keeps writing after the server ended its side, as a client that has not yet read the FIN. */
function client(port: number): { socket: Socket; received: () => string; ended: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  return {
    socket,
    received: () => text,
    ended: new Promise((resolve) => socket.once('end', resolve)),
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('HttpDrain', () => {
  it('closes an idle keep-alive connection; a request sent on it afterwards is not run', async () => {
    const h = await harness();
    const c = client(h.port);
    c.socket.write(REQUEST);
    await until(() => c.received().includes('done'), 'the first answer');
    expect(c.received()).toMatch(/keep-alive/i);

    const stopped = h.drain.stop(Date.now() + 5_000);
    // The server's side is ended; this client writes its next request anyway.
    await c.ended;
    const answered = c.received();
    c.socket.write(REQUEST);
    // The server closes once that connection is gone: by the refusal, well before the deadline.
    expect(await stopped).toBe(true);
    expect(h.ran()).toBe(1);
    expect(c.received()).toBe(answered);
  });

  it('answers a request in flight at the drain and ends its connection after the answer', async () => {
    const h = await harness(true);
    const c = client(h.port);
    c.socket.write(REQUEST);
    await until(() => h.ran() === 1, 'the request to reach the handler');

    const stopped = h.drain.stop(Date.now() + 5_000);
    h.release();
    await c.ended;
    expect(c.received()).toMatch(/^HTTP\/1.1 200/);
    expect(c.received()).toContain('done');
    // A request written after the answer is not run.
    c.socket.write(REQUEST);
    await until(() => h.ran() > 1 || h.refused() > 0, 'the server to read the request');
    expect(h.ran()).toBe(1);
    expect(await stopped).toBe(true);
  });

  it('does not run a request whose first bytes arrived before the drain and the rest after', async () => {
    const h = await harness();
    const c = client(h.port);
    const cut = REQUEST.indexOf('\r\n') + 2;
    c.socket.write(REQUEST.slice(0, cut));
    await until(() => h.connections() === 1, 'the connection');
    // Let the server read the first line: the connection is then busy for Node, idle for the drain's count.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));

    const stopped = h.drain.stop(Date.now() + 5_000);
    await c.ended;
    c.socket.write(REQUEST.slice(cut));
    await until(() => h.ran() > 0 || h.refused() > 0, 'the server to read the request');
    expect(h.ran()).toBe(0);
    expect(c.received()).toBe('');
    expect(await stopped).toBe(true);
  });
});
