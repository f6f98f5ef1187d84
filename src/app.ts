// Assembles one platform process from its configuration: the API (ROLE=api), the background
// workers (ROLE=worker) or both (ROLE=all). main.ts and the tests both start it through here.
import { TokenService } from './auth/tokens';
import type { Config } from './config';
import { buildSchema } from './graphql/schema';
import { startHttpServer, type ReadinessCheck, type RunningHttpServer } from './http/server';
import { startOpsServer } from './http/ops-server';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createServices, type Services } from './services';
import { migrate } from './store/migrator';
import { createPrisma, type PrismaClient } from './store/prisma';
import { createRedis, type Redis } from './store/redis';

export interface Platform {
  config: Config;
  /** Port the HTTP server listens on (the GraphQL API, or only ops endpoints for ROLE=worker). */
  port: number;
  services: Services;
  prisma: PrismaClient;
  redis: Redis;
  log: Logger;
  stop(): Promise<void>;
}

export async function startPlatform(config: Config, log: Logger = createLogger(config)): Promise<Platform> {
  if (config.usingDevSecret) {
    log.warn('JWT_SECRET is not set: using the fixed development secret. Set JWT_SECRET in production.');
  }
  if (config.MIGRATE_ON_START) await migrate(config.DATABASE_URL, log);

  const prisma = createPrisma(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL, `flywheel-${config.ROLE}`);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const metrics = new Metrics();
  const services = createServices({ prisma });
  const readiness: ReadinessCheck[] = [
    { name: 'postgres', check: () => prisma.$queryRaw`SELECT 1` },
    { name: 'redis', check: () => redis.ping() },
  ];

  let http: RunningHttpServer;
  if (config.ROLE === 'worker') {
    http = await startOpsServer({ config, metrics, readiness });
  } else {
    http = await startHttpServer({
      config,
      schema: buildSchema(),
      tokens: new TokenService(config.JWT_SECRET),
      services,
      metrics,
      log,
      readiness,
    });
  }
  log.info({ port: http.port, role: config.ROLE }, 'platform started');

  let stopping: Promise<void> | undefined;
  return {
    config,
    port: http.port,
    services,
    prisma,
    redis,
    log,
    stop() {
      stopping ??= (async () => {
        await http.stop();
        await prisma.$disconnect();
        await redis.quit().catch(() => redis.disconnect());
        log.info('platform stopped');
      })();
      return stopping;
    },
  };
}
