import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 4000,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/flywheel',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ROLE: 'all',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
      usingDevSecret: true,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'abc', ROLE: 'boss', DATABASE_URL: 'mysql://x', MIGRATE_ON_START: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'ROLE', 'DATABASE_URL', 'MIGRATE_ON_START']) expect(problems).toContain(name);
    }
  });

  it('requires JWT_SECRET in production and uses it when given', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-1234' });
    expect(config.usingDevSecret).toBe(false);
    expect(config.JWT_SECRET).toBe('a-production-secret-1234');
  });

  it('checks for a dead worker\'s jobs at most every half lock (the recovery bound is their sum), a fifth by default', () => {
    expect(loadConfig({})).toMatchObject({ WORKER_LOCK_MS: 25_000, WORKER_STALLED_CHECK_MS: 5000 });
    expect(loadConfig({ WORKER_LOCK_MS: '2000' })).toMatchObject({ WORKER_STALLED_CHECK_MS: 400 });
    expect(() => loadConfig({ WORKER_LOCK_MS: '2000', WORKER_STALLED_CHECK_MS: '1500' })).toThrow(/WORKER_STALLED_CHECK_MS: must be at most half/);
  });

  it('treats empty variables as unset and parses booleans', () => {
    expect(loadConfig({ PORT: '', MIGRATE_ON_START: 'false' })).toMatchObject({ PORT: 4000, MIGRATE_ON_START: false });
  });
});

describe('.env.example', () => {
  it('documents every option and parses as a valid configuration', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      text.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const config = loadConfig(env);
    const documented = new Set(Object.keys(env));
    const options = Object.keys(config).filter((k) => k !== 'usingDevSecret');
    expect(options.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('takes TRAIN_HALF_LIFE_DAYS as auto (the default) or days, and names it when it is neither', () => {
    expect(loadConfig({}).TRAIN_HALF_LIFE_DAYS).toBe('auto');
    expect(loadConfig({ TRAIN_HALF_LIFE_DAYS: '7' }).TRAIN_HALF_LIFE_DAYS).toBe(7);
    expect(() => loadConfig({ TRAIN_HALF_LIFE_DAYS: 'weekly' })).toThrow(/TRAIN_HALF_LIFE_DAYS: must be auto or a number of days/);
  });
});
