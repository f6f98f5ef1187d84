// Starts a real platform on a free port for a test file, with its own Redis key prefix, and talks to it
// over real HTTP and a real graphql-ws client.
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { startPlatform, type Platform, type PlatformSeams } from '../../src/app';
import { TokenService, type Role } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { FeatureGenerationStore } from '../../src/store/feature-generation';
import { createLogger, type Logger } from '../../src/logger';
import { eventually } from './wait';

export { eventually };

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, any>; path?: string[] }>;
}

export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface TestPlatform {
  platform: Platform;
  url: string;
  wsUrl: string;
  env: Record<string, string>;
  token(role: Role, sub?: string, ttlSeconds?: number): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  ws(token?: string, extra?: Partial<Parameters<typeof createClient>[0]>): Client;
  stop(): Promise<void>;
}

let fileDatabase: Promise<string> | undefined;

/**
 * A database of this test file's own, copied from the run's migrated template: platforms of one file share it,
 * files never do (each platform's outbox relay claims any unsent row in its database).
 */
export function fileDatabaseUrl(): Promise<string> {
  fileDatabase ??= copyOfTemplate('');
  return fileDatabase;
}

/**
 * A new copy of the run's migrated template database, named after it (`<run>_<tag><random>`, so that the run's
 * teardown drops it with the others).
 */
export async function copyOfTemplate(tag: string): Promise<string> {
  const template = new URL(inject('databaseUrl'));
  const copy = new URL(template);
  copy.pathname = `${template.pathname}_${tag}${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(copy.pathname.slice(1))} TEMPLATE ${pg.escapeIdentifier(template.pathname.slice(1))}`);
  } finally {
    await client.end();
  }
  return copy.toString();
}

export async function testEnv(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: await fileDatabaseUrl(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: uniqueId(inject('redisPrefix')),
    JWT_SECRET: 'test-secret-with-enough-length',
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  };
}

/** `log`: a logger of the test's own (to read what the platform logged); by default one at TEST_LOG_LEVEL. */
export async function startTestPlatform(overrides: Record<string, string> = {}, seams: PlatformSeams = {}, log?: Logger): Promise<TestPlatform> {
  const env = await testEnv(overrides);
  const config = loadConfig(env);
  const platform = await startPlatform(config, log ?? createLogger(config), seams);
  if (config.ROLE !== 'api') {
    // Workers take jobs once their first feature-store check is through. A new key prefix has no generation yet, so
    // that check rebuilds the store, replaying the database's events and announcing nobody: events a test records
    // meanwhile could be applied by that replay, and their live pushes never come.
    const generations = new FeatureGenerationStore(platform.redis, platform.keys);
    await eventually(async () => {
      const state = await generations.state();
      return Boolean(state.generation) && !state.replaying;
    }, 60_000, "the workers' first feature-store check");
  }
  const url = `http://127.0.0.1:${platform.port}`;
  const wsUrl = `ws://127.0.0.1:${platform.port}/graphql`;
  const tokens = new TokenService(config.JWT_SECRET);
  const clients: Client[] = [];
  return {
    platform,
    url,
    wsUrl,
    env,
    token: (role, sub, ttlSeconds) => tokens.sign({ role, sub: sub ?? uniqueId(role), ttlSeconds }),
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    ws(token, extra = {}) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: false,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.dispose()));
      await platform.stop();
    },
  };
}

/** Subscribes and collects results; `next(n)` waits until n results have arrived. */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: GraphQLResponse<T>[] = [];
  const waiters: Array<() => void> = [];
  let error: unknown;
  let completed = false;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        results.push(value as GraphQLResponse<T>);
        waiters.splice(0).forEach((w) => w());
      },
      error: (err) => {
        error = err;
        waiters.splice(0).forEach((w) => w());
      },
      complete: () => {
        completed = true;
        waiters.splice(0).forEach((w) => w());
      },
    },
  );
  return {
    results,
    unsubscribe,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    /** Resolves once `predicate` holds for the collected results, or rejects after `timeoutMs`. */
    async until(predicate: (results: GraphQLResponse<T>[]) => boolean, timeoutMs = 5000): Promise<GraphQLResponse<T>[]> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(results)) {
        if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(results).slice(0, 2000)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 100));
          waiters.push(() => (clearTimeout(t), resolve()));
        });
      }
      return results;
    },
  };
}


/**
 * How many subscriptions the platform has started over WebSockets, from its metrics: graphql-ws counts one in
 * onOperation, once the operation's source stream is subscribed, which for the live fields means once their
 * pub/sub subscriptions are in place (they await them before returning the stream).
 */
export async function subscriptionsStarted(t: TestPlatform): Promise<number> {
  const headers: Record<string, string> = t.env.METRICS_TOKEN ? { authorization: `Bearer ${t.env.METRICS_TOKEN}` } : {};
  const text = await fetch(`${t.url}/metrics`, { headers }).then((r) => r.text());
  const sample = /^graphql_requests_total\{(?=[^}]*transport="ws")(?=[^}]*operation="subscription")(?=[^}]*outcome="started")[^}]*\} (\S+)$/m.exec(text);
  return Number(sample?.[1] ?? 0);
}

/**
 * Runs `subscribe` and resolves with what it returned once the platform reports one more subscription started:
 * the acknowledgement a subscription with no first push (an alert feed) gives, before anything it must see is
 * raised. Only for a platform on which nothing else subscribes meanwhile.
 */
export async function whenSubscribed<T>(t: TestPlatform, subscribe: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const before = await subscriptionsStarted(t);
  const result = await subscribe();
  await eventually(async () => (await subscriptionsStarted(t)) > before, timeoutMs, 'the platform to report the subscription started');
  return result;
}
