// npm run simulate -- --rate 200 --users 1000 --duration 60
// Drives shopper sessions through the public GraphQL API with a service token, for demos and benchmarks.
import { parseArgs } from 'node:util';
import { TokenService } from '../auth/tokens';
import { loadConfig } from '../config';
import { demoCatalog, ShopperSimulator, type SimEvent } from '../simulator/shoppers';
import { adminLink } from './ttl';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql` },
    rate: { type: 'string', default: '200' },
    users: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '60' },
    products: { type: 'string', default: '200' },
    seed: { type: 'string' },
    'no-catalog': { type: 'boolean', default: false },
    // npm run demo: also prints how to open the admin UI, trains a first model and starts an A/B experiment.
    demo: { type: 'boolean', default: false },
  },
});

const rate = Number(values.rate);
const duration = Number(values.duration);
const users = Number(values.users);
const productCount = Number(values.products);
for (const [name, v] of Object.entries({ rate, duration, users, products: productCount })) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
}

const config = loadConfig();
const tokens = new TokenService(config.JWT_SECRET, config.AUTH_MAX_TOKEN_TTL_SECONDS);
/** Tokens live an hour at most (never beyond AUTH_MAX_TOKEN_TTL_SECONDS) and are signed again before they run out, so
 * a run of any duration keeps going. */
const TOKEN_TTL_SECONDS = Math.min(3600, config.AUTH_MAX_TOKEN_TTL_SECONDS);
const signed = new Map<'service' | 'admin', { token: string; renewAt: number }>();
async function token(role: 'service' | 'admin'): Promise<string> {
  const held = signed.get(role);
  if (held && Date.now() < held.renewAt) return held.token;
  const fresh = await tokens.sign({ sub: 'simulator', role, ttlSeconds: TOKEN_TTL_SECONDS });
  signed.set(role, { token: fresh, renewAt: Date.now() + (TOKEN_TTL_SECONDS * 1000) / 2 });
  return fresh;
}

/** Purchases come from the order system (a service token), as they would in a shop; catalog work is admin's. */
async function gql(query: string, variables: Record<string, unknown>, role: 'service' | 'admin' = 'service'): Promise<any> {
  const res = await fetch(values.url!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(role)}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

const catalog = demoCatalog(productCount);
const admin = 'admin' as const;

try {
  await fetch(new URL('/healthz', values.url!));
} catch {
  console.error(`cannot reach the platform at ${values.url}: start it first (npm start) or pass --url`);
  process.exit(1);
}
if (!values['no-catalog']) {
  // Only creates what is missing, so that a running demo's stock levels are not reset.
  const existing = new Set<string>();
  let after: string | null = null;
  do {
    const page: any = await gql(`query($after: String) { products(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { after });
    for (const e of page.products.edges) existing.add(e.node.id);
    after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
  } while (after);
  const missing = catalog.filter((p) => !existing.has(p.id));
  for (let i = 0; i < missing.length; i += 1000) {
    await gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: missing.slice(i, i + 1000) }, admin);
  }
  console.log(`catalog: ${catalog.length} products (${missing.length} created)`);
}

/** A few ACTIVE demo campaigns, so that KPI dashboards move; reused across runs. */
async function demoCampaigns(): Promise<string[]> {
  const names = ['Demo: Summer shoes', 'Demo: Winter jackets', 'Demo: Accessories week'];
  const d = await gql(`{ campaigns(first: 100, status: ACTIVE) { edges { node { id name } } } }`, {}, admin);
  const existing = new Map<string, string>(d.campaigns.edges.map((e: any) => [e.node.name, e.node.id]));
  const ids: string[] = [];
  for (const [i, name] of names.entries()) {
    let id = existing.get(name);
    if (!id) {
      const products = catalog.filter((_, k) => k % names.length === i).slice(0, 20).map((p) => p.id);
      const created = await gql(
        `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
        { input: { name, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), budget: 5000, productIds: products } },
        admin,
      );
      id = created.createCampaign.id as string;
      await gql(`mutation($id: ID!) { setCampaignStatus(id: $id, status: ACTIVE) { id } }`, { id }, admin);
    }
    ids.push(id);
  }
  return ids;
}
const campaignIds = values['no-catalog'] ? [] : await demoCampaigns();
if (campaignIds.length) console.log(`campaigns: ${campaignIds.join(', ')}`);

/** The demo's extras: a first trained model once some history exists, and an A/B test against popularity. */
async function demoModels(): Promise<void> {
  try {
    const run = await gql(`mutation { retrainModel { id status } }`, {}, admin);
    console.log(`demo: training run ${run.retrainModel.id} ${run.retrainModel.status}`);
    await gql(
      `mutation($v: [VariantInput!]!) { configureExperiment(variants: $v) { variants { name } } }`,
      { v: [{ name: 'model', weight: 1, model: 'active' }, { name: 'popularity', weight: 1, model: 'popularity' }] },
      admin,
    );
    console.log('demo: A/B experiment "model" vs "popularity" configured');
  } catch (err) {
    console.error(`demo: could not start training or the experiment: ${(err as Error).message}`);
  }
}
let demoTimer: NodeJS.Timeout | undefined;
if (values.demo) {
  const hours = Math.min(12 * 3600, config.AUTH_MAX_TOKEN_TTL_SECONDS) / 3600;
  const admin12h = await tokens.sign({ sub: 'demo-admin', role: 'admin', ttlSeconds: hours * 3600 });
  console.log(
    `\nOpen the admin UI, signed in (valid ${+hours.toFixed(2)} h, this browser tab only):\n\n  ${adminLink(values.url!, admin12h)}\n\n` +
      `or open ${new URL('/admin/', values.url!).href} and paste this admin token:\n\n${admin12h}\n`,
  );
  demoTimer = setTimeout(() => void demoModels(), Math.min(20_000, (duration * 1000) / 2));
}

const sim = new ShopperSimulator({
  users,
  productIds: catalog.map((p) => p.id),
  categories: catalog.map((p) => p.category),
  campaignIds,
  seed: values.seed ? Number(values.seed) : undefined,
});
const TICK_MS = 100;
const started = Date.now();
let sent = 0;
let accepted = 0;
let failed = 0;
let due = 0;
const inFlight = new Set<Promise<void>>();

function send(events: SimEvent[]): void {
  const p = gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`, { e: events })
    .then((d) => void (accepted += d.recordEvents.accepted))
    .catch((err) => {
      failed += events.length;
      if (failed === events.length) console.error(`recordEvents failed: ${(err as Error).message}`);
    })
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
}

/**
 * Now and then a session is shown its recommendations (a page with a "picked for you" strip): it looks at the
 * list once, with its next action, and clicks what it likes on it or nothing, so that clicks per list served
 * measure how well each A/B variant's lists fit the shoppers. Shoppers whose last list is still unseen are
 * not shown another (a list nobody looked at would count as served and never clicked, in either variant).
 */
async function refreshRecommendations(): Promise<void> {
  const active = sim.activeUsers().filter((u) => !sim.recommended.has(u));
  const userId = active[Math.floor(Math.random() * active.length)];
  if (!userId) return;
  try {
    const d = await gql(`query($u: ID!) { recommendations(userId: $u, limit: 5) { id items { product { id } } } }`, { u: userId });
    sim.recommended.set(userId, { listId: d.recommendations.id, productIds: d.recommendations.items.map((i: any) => i.product.id) });
  } catch {
    // Recommendations are optional for the simulation.
  }
}

/** The warehouse: every few seconds, restock some of what ran low, so that alerts come and go in a demo. */
let restocked = 0;
async function restock(): Promise<void> {
  try {
    const d = await gql(`{ lowStockProducts(first: 100) { edges { node { id stock lowStockThreshold } } } }`, {}, admin);
    const low = d.lowStockProducts.edges.map((e: any) => e.node).filter(() => Math.random() < 0.5);
    if (!low.length) return;
    const items = low.map((p: any) => ({ productId: p.id, stock: p.lowStockThreshold + 20 + Math.floor(Math.random() * 200) }));
    await gql(`mutation($i: [InventoryInput!]!) { updateInventory(items: $i) { id } }`, { i: items }, admin);
    restocked += items.length;
  } catch (err) {
    console.error(`restock failed: ${(err as Error).message}`);
  }
}
const warehouse = setInterval(() => void restock(), 7000);

const report = setInterval(() => {
  const s = (Date.now() - started) / 1000;
  console.log(`${s.toFixed(0)}s: sent ${sent}, accepted ${accepted}, failed ${failed} (${(sent / s).toFixed(0)} events/s), restocked ${restocked}`);
}, 5000);

/** The demo's A/B test as it stands: clicks per list served by variant, and the p-value against the first. */
async function reportExperiment(): Promise<void> {
  try {
    const d = await gql(`{ experimentResults { variants { name listsServed clicks clickThroughRate purchases pValue } } }`, {}, admin);
    const variants: any[] = d.experimentResults?.variants ?? [];
    if (!variants.some((v) => v.listsServed)) return;
    const parts = variants.map(
      (v) => `${v.name} ${(100 * v.clickThroughRate).toFixed(1)} % clicks/list (${v.clicks}/${v.listsServed}, ${v.purchases} purchases${v.pValue === null ? '' : `, p ${v.pValue < 0.001 ? '< 0.001' : `= ${v.pValue.toFixed(3)}`}`})`,
    );
    console.log(`A/B: ${parts.join('; ')}`);
  } catch (err) {
    console.error(`experiment results failed: ${(err as Error).message}`);
  }
}
const abReport = values.demo ? setInterval(() => void reportExperiment(), 60_000) : undefined;

while (Date.now() - started < duration * 1000) {
  const tickStart = Date.now();
  due += (rate * TICK_MS) / 1000;
  const n = Math.floor(due);
  due -= n;
  // At most 1,000 events per request (the API's batch limit).
  for (let i = 0; i < n; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - i) }, () => sim.next());
    sent += batch.length;
    send(batch);
  }
  if (Math.random() < 0.3) void refreshRecommendations();
  await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - (Date.now() - tickStart))));
}
await Promise.all(inFlight);
clearInterval(report);
clearInterval(abReport);
if (values.demo) await reportExperiment();
clearInterval(warehouse);
clearTimeout(demoTimer);
const elapsed = (Date.now() - started) / 1000;
console.log(`done: ${sent} events in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s), ${accepted} accepted, ${failed} failed`);
process.exit(failed ? 1 : 0);
