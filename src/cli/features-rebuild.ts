// npm run features:rebuild — rebuilds the Redis feature store from the events in Postgres.
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { FeatureRepair } from '../services/feature-repair';
import { EventStore } from '../store/events';
import { FeatureGenerationStore } from '../store/feature-generation';
import { FeatureStore } from '../store/feature-store';
import { RedisKeys } from '../store/keys';
import { KpiStore } from '../store/kpis';
import { connectDatabase } from '../store/db';
import { createRedis } from '../store/redis';

try {
  const config = loadConfig();
  const log = createLogger({ ...config, ROLE: 'all' });
  const db = connectDatabase(config.DATABASE_URL);
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const redis = createRedis(config.REDIS_URL, 'flywheel-rebuild');
  const writer = createRedis(config.REDIS_URL, 'flywheel-rebuild-writer');
  const started = Date.now();
  const repair = new FeatureRepair({
    events: new EventStore(db),
    features: new FeatureStore(redis, keys),
    kpis: new KpiStore(redis, keys, db),
    generations: new FeatureGenerationStore(redis, keys),
    writer,
    log,
  });
  // Under the workers' rebuild lock: a worker repairing the store at this moment is left to finish.
  const result = await repair.rebuild('npm run features:rebuild', 'manual');
  if (!result) throw new Error('a worker is rebuilding the feature store right now; try again when it has finished');
  console.log(
    `Rebuilt the feature store from ${result.events} events in ${result.jobs} jobs ` +
      `(${result.applied} replayed, ${result.jobs - result.applied} applied by workers meanwhile) in ${Date.now() - started} ms.`,
  );
  await db.close();
  await Promise.all([redis.quit(), writer.quit()]);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Rebuild failed: ${(err as Error).message}`);
  process.exit(1);
}
