// The load of `npm run soak`: shoppers from the simulator (src/simulator) sending their events through the public
// API with a service token, as a storefront's backend does (views, clicks, carts, purchases, impressions on the
// campaigns), the storefront showing some of them their recommendations, a warehouse restocking what ran low, and
// graphql-ws subscribers watching (shoppers their own recommendations, dashboards campaign KPIs and stock alerts).
import type { Client } from 'graphql-ws';
import { demoCatalog, ShopperSimulator, type SimEvent } from '../src/simulator/shoppers';
import { sleep, type BenchDeployment } from './support';

const RECORD_EVENTS = `mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted duplicates } }`;
const RECOMMENDATIONS = `query($u: ID!) { recommendations(userId: $u, limit: 5) { id items { product { id } } } }`;
const RECOMMENDATIONS_UPDATED = `subscription($u: ID!) { recommendationsUpdated(userId: $u) { id items { product { id } score } } }`;
const KPIS_UPDATED = `subscription($c: ID!) { campaignKpisUpdated(campaignId: $c) { impressions clicks addToCarts conversions } }`;
const LOW_STOCK = `subscription($cat: String) { lowStockAlert(category: $cat) { id kind stock product { id } } }`;

/** The simulator's sending step (as `npm run simulate`): each tick sends the events due since the last. */
const TICK_MS = 100;
/** recordEvents attempts per batch of events, and the pause before the n-th retry (n × this). */
const SEND_ATTEMPTS = 3;
const RETRY_PAUSE_MS = 500;
/** Error codes that say "nothing was written, try again later" (a storefront retries them). */
const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
/** How often the warehouse restocks part of what ran low (as `npm run simulate`), so stock alerts keep coming. */
const RESTOCK_MS = 7000;

export interface TrafficCounters {
  sent: number;
  accepted: number;
  duplicates: number;
  /** Events of recordEvents calls that failed for good (after SEND_ATTEMPTS for a transport error or a retryable code). */
  failed: number;
  firstFailure?: string;
  /** recordEvents calls sent again after a transport error or a retryable error code. */
  retries: number;
  firstRetry?: string;
  recommendationQueries: number;
  restocked: number;
}

/** Catalog and campaigns of the soak's shop: `demoCatalog`'s products, and ACTIVE campaigns on some of them. */
export async function seedShop(deployment: BenchDeployment, admin: string, products: number, campaigns: number) {
  const catalog = demoCatalog(products);
  for (let i = 0; i < catalog.length; i += 1000) {
    await deployment.gql(`mutation($p: [ProductInput!]!) { upsertProducts(products: $p) { created } }`, { p: catalog.slice(i, i + 1000) }, admin);
  }
  const campaignIds: string[] = [];
  for (let i = 0; i < campaigns; i++) {
    const productIds = catalog.filter((_, k) => k % campaigns === i).slice(0, 20).map((p) => p.id);
    const input = { name: `Soak campaign ${i + 1}`, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), budget: 5000, productIds };
    const { createCampaign } = await deployment.gql(`mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, { input }, admin);
    await deployment.gql(`mutation($id: ID!) { setCampaignStatus(id: $id, status: ACTIVE) { id } }`, { id: createCampaign.id }, admin);
    campaignIds.push(createCampaign.id as string);
  }
  return { catalog, campaignIds };
}

/**
 * Simulated shoppers' traffic: from `start()`, events at `rate` per second, open loop (on schedule, whether or
 * not earlier calls returned), until `stop()`, which resolves once every call in flight has been answered.
 */
export function shopTraffic(
  deployment: BenchDeployment,
  opts: { rate: number; users: number; seed: number; catalog: ReturnType<typeof demoCatalog>; campaignIds: string[]; service: string; admin: string },
): { counters: TrafficCounters; start: () => void; stop: () => Promise<void> } {
  const counters: TrafficCounters = { sent: 0, accepted: 0, duplicates: 0, failed: 0, retries: 0, recommendationQueries: 0, restocked: 0 };
  const sim = new ShopperSimulator({
    users: opts.users,
    productIds: opts.catalog.map((p) => p.id),
    categories: opts.catalog.map((p) => p.category),
    campaignIds: opts.campaignIds,
    seed: opts.seed,
    // A visit spaced over seconds rather than crammed into a fraction of one: at 500 events/s, 500 open visits
    // give each about one event a second.
    sessions: Math.max(50, Math.round(opts.rate)),
  });
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const send = (events: SimEvent[], attempt = 1): void => {
    if (attempt === 1) counters.sent += events.length;
    const fail = (message: string, retryable: boolean) => {
      // As a storefront's backend would: the same events again, which is always safe (their ids make a second
      // delivery a duplicate), after a pause; counted, so that the summary shows how often it was needed.
      if (retryable && attempt < SEND_ATTEMPTS) {
        counters.retries++;
        counters.firstRetry ??= message;
        void track(sleep(RETRY_PAUSE_MS * attempt).then(() => send(events, attempt + 1)));
        return;
      }
      counters.failed += events.length;
      counters.firstFailure ??= message;
    };
    void track(
      deployment.post(JSON.stringify({ query: RECORD_EVENTS, variables: { e: events } }), opts.service).then(
        (res) => {
          if (res.errors?.length || !res.data?.recordEvents) {
            const retryable = res.errors?.some((e) => RETRYABLE_CODES.has(String(e.extensions?.code))) ?? false;
            return fail(JSON.stringify(res.errors ?? res.data).slice(0, 300), retryable);
          }
          counters.accepted += res.data.recordEvents.accepted;
          counters.duplicates += res.data.recordEvents.duplicates;
        },
        // A transport error (a connection reset, say): the call may or may not have been committed.
        (err: Error) => fail(err.message, true),
      ),
    );
  };

  // A storefront page with a "picked for you" strip, for a shopper whose last list was looked at (as simulate.ts).
  const showRecommendations = () => {
    const active = sim.activeUsers().filter((u) => !sim.recommended.has(u));
    const userId = active[Math.floor(Math.random() * active.length)];
    if (!userId) return;
    void track(
      deployment.post(JSON.stringify({ query: RECOMMENDATIONS, variables: { u: userId } }), opts.service).then(
        (res) => {
          const list = res.data?.recommendations;
          if (!list) return;
          counters.recommendationQueries++;
          sim.recommended.set(userId, { listId: list.id, productIds: list.items.map((i: any) => i.product.id) });
        },
        () => undefined,
      ),
    );
  };

  const restock = async () => {
    try {
      const d = await deployment.gql(`{ lowStockProducts(first: 100) { edges { node { id lowStockThreshold } } } }`, {}, opts.admin);
      const low = d.lowStockProducts.edges.map((e: any) => e.node).filter(() => Math.random() < 0.5);
      if (!low.length) return;
      const items = low.map((p: any) => ({ productId: p.id, stock: p.lowStockThreshold + 20 + Math.floor(Math.random() * 200) }));
      await deployment.gql(`mutation($i: [InventoryInput!]!) { updateInventory(items: $i) { id } }`, { i: items }, opts.admin);
      counters.restocked += items.length;
    } catch (err) {
      console.error(`restock failed: ${(err as Error).message}`);
    }
  };
  let warehouse: NodeJS.Timeout | undefined;
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  const drive = async () => {
    const t0 = performance.now();
    let due = 0;
    for (let tick = 1; running; tick++) {
      due += (opts.rate * TICK_MS) / 1000;
      const n = Math.floor(due);
      due -= n;
      // At most 1,000 events per request (the API's batch limit).
      for (let i = 0; i < n; i += 1000) send(Array.from({ length: Math.min(1000, n - i) }, () => sim.next()));
      if (Math.random() < 0.3) showRecommendations();
      // On the tick schedule from the start, so that a late tick does not shift every later one.
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + tick * TICK_MS - performance.now())));
    }
  };

  return {
    counters,
    start() {
      running = true;
      warehouse = setInterval(() => void track(restock()), RESTOCK_MS);
      loop = drive();
    },
    async stop() {
      running = false;
      clearInterval(warehouse);
      await loop;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

export interface SubscriberCounters {
  /** Pushes received, by subscription. */
  pushes: { recommendations: number; kpis: number; alerts: number };
  /** Subscriptions that ended (error or completion) while the soak ran: each one a subscriber left without updates. */
  dropped: number;
  firstDrop?: string;
}

/**
 * `total` graphql-ws subscribers, each on a connection of its own (a browser tab or a dashboard): 80 % shoppers
 * watching their own `recommendationsUpdated` (users sim-user-0…, who are among the simulator's shoppers), 10 %
 * `campaignKpisUpdated` (admin, spread over the campaigns) and 10 % `lowStockAlert` (admin, half of them for one
 * category). Resolves once every one is attached: the first push of a list or KPIs, the connection's
 * acknowledgement for alerts (which only push when stock runs low).
 */
export async function attachSubscribers(
  deployment: BenchDeployment,
  opts: { total: number; campaignIds: string[]; categories: string[]; admin: string },
): Promise<SubscriberCounters & { shoppers: number }> {
  const kpis = opts.campaignIds.length ? Math.round(opts.total * 0.1) : 0;
  const alerts = Math.round(opts.total * 0.1);
  const shoppers = opts.total - kpis - alerts;
  const counters: SubscriberCounters = { pushes: { recommendations: 0, kpis: 0, alerts: 0 }, dropped: 0 };
  let attaching = true;

  const attach = (client: Client, query: string, variables: Record<string, unknown>, kind: keyof SubscriberCounters['pushes']) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a ${kind} subscriber was not attached within 30 s`)), 30_000);
      const attached = () => {
        clearTimeout(timer);
        resolve();
      };
      const ended = (reason: string) => {
        if (attaching) return reject(new Error(`a ${kind} subscription failed: ${reason}`));
        counters.dropped++;
        counters.firstDrop ??= `${kind}: ${reason}`;
      };
      if (kind === 'alerts') client.on('connected', attached);
      client.subscribe<any>({ query, variables }, {
        next: (r) => {
          if (r.errors?.length) return ended(JSON.stringify(r.errors).slice(0, 300));
          counters.pushes[kind]++;
          if (kind !== 'alerts') attached();
        },
        error: (err) => ended(err instanceof Error ? err.message : `closed: ${JSON.stringify((err as { code?: number; reason?: string })?.code ?? err)}`),
        complete: () => ended('completed by the server'),
      });
    });

  const plan: Array<() => Promise<void>> = [
    ...Array.from({ length: shoppers }, (_, u) => async () =>
      attach(deployment.ws(await deployment.token('shopper', `sim-user-${u}`)), RECOMMENDATIONS_UPDATED, { u: `sim-user-${u}` }, 'recommendations'),
    ),
    ...Array.from({ length: kpis }, (_, k) => () => attach(deployment.ws(opts.admin), KPIS_UPDATED, { c: opts.campaignIds[k % opts.campaignIds.length] }, 'kpis')),
    ...Array.from({ length: alerts }, (_, k) => () =>
      attach(deployment.ws(opts.admin), LOW_STOCK, { cat: k % 2 ? opts.categories[k % opts.categories.length] : null }, 'alerts'),
    ),
  ];
  // 50 connections at a time: a thousand handshakes at once would measure a connection storm, not a soak.
  for (let i = 0; i < plan.length; i += 50) await Promise.all(plan.slice(i, i + 50).map((f) => f()));
  attaching = false;
  return Object.assign(counters, { shoppers });
}
