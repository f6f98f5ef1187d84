// Whether an error means that Postgres or Redis could not be reached (down, restarting, cut off, out of
// connections), as opposed to a statement or a command that failed: the first is worth retrying later and
// nothing was done; the second is a bug or a conflict. The API answers the first with SERVICE_UNAVAILABLE (errors.ts).

/** Socket-level failures (Node's `code`), from pg, Prisma's pg adapter or ioredis alike. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Postgres SQLSTATEs of a server that is going away or not taking connections; class 08 (connection exception)
 * is matched as a whole. */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Prisma's codes for a database it cannot reach or a connection it cannot get in time: P1001 can't reach, P1002
 * and P1008 timed out, P1017 connection closed, P2024 no pool connection in time, P2028 transaction not started in
 * time ("Unable to start a transaction in the given time"). */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/** Prisma driver adapter error kinds of the same nature (found in `meta.driverAdapterError.cause`). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Errors the drivers raise with no code at all, recognised by their fixed texts (pg's client and pool, ioredis);
 * the one place where a message is matched, because these libraries give nothing else to match.
 */
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
]);

interface Shape {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function matches(err: Shape): boolean {
  const { code, kind, name, message } = err;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || PRISMA_CODES.has(code))) return true;
  if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  // ioredis, when a command waited through maxRetriesPerRequest reconnections.
  if (name === 'MaxRetriesPerRequestError') return true;
  return typeof message === 'string' && DRIVER_MESSAGES.has(message);
}

/** Whether `err`, or an error it wraps (cause, Prisma's driver adapter error), says a dependency is unavailable. */
export function isUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const shape = e as Shape;
    if (matches(shape)) return true;
    queue.push(shape.cause, shape.meta?.driverAdapterError);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return false;
}
