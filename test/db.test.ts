// The transaction helper (src/store/db.ts) on a real Postgres connection that dies under it.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { transaction } from '../src/store/db';
import { fileDatabaseUrl } from './support/platform';
import { TcpProxy } from './support/tcp-proxy';

describe('transaction()', () => {
  it('fails, and only fails, when its connection dies between two statements', async () => {
    // The pool takes its error listener off a client it hands out: without one of the helper's own, the client's
    // 'error' on the unexpected end went unheard and ended the process (an uncaught exception, which vitest reports).
    const proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.start();
    const url = new URL(await fileDatabaseUrl());
    url.port = String(proxy.port);
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    pool.on('error', () => undefined);
    try {
      const outcome = transaction(pool, async (client) => {
        await client.query('SELECT 1');
        const ended = new Promise((resolve) => client.once('end', resolve));
        await proxy.stop();
        await ended;
      });
      await expect(outcome).rejects.toThrow();
    } finally {
      await pool.end().catch(() => undefined);
      await proxy.stop();
    }
  });
});
