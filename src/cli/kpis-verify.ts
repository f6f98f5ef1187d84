// npm run kpis:verify -- --campaign ID — the live KPI counters next to a recount from the events, and the difference.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createServices } from '../services';
import { RedisKeys } from '../store/keys';
import { connectDatabase } from '../store/db';
import { MemoryPubSub } from '../store/pubsub';
import { createRedis } from '../store/redis';

const { values } = parseArgs({ options: { campaign: { type: 'string', multiple: true } } });
if (!values.campaign?.length) {
  console.error('usage: npm run kpis:verify -- --campaign ID [--campaign ID …]');
  process.exit(2);
}
const config = loadConfig();
const db = connectDatabase(config.DATABASE_URL);
const redis = createRedis(config.REDIS_URL, 'flywheel-kpis-verify');
// Read-only use: nothing is published, so an in-process PubSub is enough here.
const services = createServices({ db, redis, keys: new RedisKeys(config.REDIS_PREFIX), pubsub: new MemoryPubSub(), handOff: () => undefined, config });
let differs = false;
try {
  for (const id of values.campaign) {
    const { live, recount } = await services.campaigns.verify(id);
    const rows = (Object.keys(live) as Array<keyof typeof live>).map((k) => ({ kpi: k, live: live[k], recount: recount[k], difference: live[k] - recount[k] }));
    console.log(`campaign ${id}`);
    console.table(rows);
    differs ||= rows.some((r) => r.difference !== 0);
  }
  console.log(differs ? 'DIFFERENCES FOUND (are workers still catching up? run again)' : 'live counters equal the recount');
} catch (err) {
  console.error((err as Error).message);
  differs = true;
} finally {
  await db.close();
  await redis.quit();
}
process.exit(differs ? 1 : 0);
