// npm run features:rebuild — rebuilds the Redis feature store from the events in Postgres.
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { rebuildFeatures } from '../services/feature-rebuild';
import { EventStore } from '../store/events';
import { FeatureStore } from '../store/feature-store';
import { RedisKeys } from '../store/keys';
import { KpiStore } from '../store/kpis';
import { connectDatabase } from '../store/db';
import { Queues } from '../store/queues';
import { createRedis } from '../store/redis';

try {
  const config = loadConfig();
  const log = createLogger({ ...config, ROLE: 'all' });
  const db = connectDatabase(config.DATABASE_URL);
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const redis = createRedis(config.REDIS_URL, 'flywheel-rebuild');
  const writer = createRedis(config.REDIS_URL, 'flywheel-rebuild-writer');
  const queues = new Queues(redis, keys);
  const started = Date.now();
  const result = await rebuildFeatures({ events: new EventStore(db), features: new FeatureStore(redis, keys), kpis: new KpiStore(redis, keys, db.prisma), queues, writer, log });
  console.log(
    `Rebuilt the feature store from ${result.events} events in ${result.jobs} jobs ` +
      `(${result.applied} replayed, ${result.jobs - result.applied} applied by workers meanwhile) in ${Date.now() - started} ms.`,
  );
  await queues.close();
  await db.close();
  await Promise.all([redis.quit(), writer.quit()]);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Rebuild failed: ${(err as Error).message}`);
  process.exit(1);
}
