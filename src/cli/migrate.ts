// npm run db:migrate — creates the database if needed and applies pending migrations.
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrate } from '../store/migrator';

try {
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL, createLogger({ ...config, ROLE: 'all' }));
  console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(1);
}
