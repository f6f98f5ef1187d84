// Round trips to the platform's dependencies: /readyz and the admin System page ask the same questions.
import type { Database } from './db';
import type { Redis } from './redis';

export interface DependencyCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface DependencyHealth {
  name: string;
  ok: boolean;
  /** Round trip in ms, when it answered. */
  latencyMs: number | null;
  /** Why it did not answer. */
  error: string | null;
}

/** Long enough for a loaded database, short enough that a health page or an orchestrator is not kept waiting. */
export const CHECK_TIMEOUT_MS = 1500;

export function dependencyChecks(db: Database, redis: Redis): DependencyCheck[] {
  return [
    { name: 'postgres', check: () => db.pool.query('SELECT 1') },
    { name: 'redis', check: () => redis.ping() },
  ];
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

export async function probe({ name, check }: DependencyCheck, timeoutMs = CHECK_TIMEOUT_MS): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await withTimeout(check(), timeoutMs);
    return { name, ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100, error: null };
  } catch (err) {
    return { name, ok: false, latencyMs: null, error: (err as Error).message };
  }
}
