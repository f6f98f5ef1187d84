// Live KPIs and sales at scale (issue 22), over real HTTP and graphql-ws: a campaign's KPIs are read once per change
// notice for all its subscribers in the process, a notice that changes nothing pushes nothing, and the shared value
// is released with its last subscriber. Computations and live values are read from /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../src/store/keys';
import { collect, eventually, startTestPlatform, uniqueId, type TestPlatform } from './support/platform';

let t: TestPlatform;
let service: string;
beforeAll(async () => {
  // No scheduled rollup while the test runs: the only campaign notices are the ones it sends and its one event's.
  t = await startTestPlatform({ KPI_ROLLUP_INTERVAL_MS: '3600000', KPI_THROTTLE_MS: '20' });
  service = await t.token('service');
});
afterAll(() => t.stop());

const KPIS = `subscription($id: ID!) { campaignKpisUpdated(campaignId: $id) { campaignId impressions clicks revenue updatedAt } }`;
const SUBSCRIBERS = 8;

/** A sample of a labelled metric from /metrics (0 when the series is not there yet). */
async function metric(name: string, source: string): Promise<number> {
  const headers: Record<string, string> = t.env.METRICS_TOKEN ? { authorization: `Bearer ${t.env.METRICS_TOKEN}` } : {};
  const text = await fetch(`${t.url}/metrics`, { headers }).then((r) => r.text());
  const sample = new RegExp(`^${name}\\{source="${source}"\\} (\\S+)$`, 'm').exec(text);
  return Number(sample?.[1] ?? 0);
}

/** What a worker sends when a rollup or a job touched `topic`, sent straight to the platform's Redis. */
async function notice(topic: string): Promise<void> {
  await t.platform.redis.publish(t.platform.keys.channel(topic), 'rollup');
}

/** Subscribers of `query`, each on its own socket with its own admin token, once each has its first value. */
async function subscribers(query: string, variables: Record<string, unknown> = {}) {
  const subs = await Promise.all(Array.from({ length: SUBSCRIBERS }, async () => collect(t.ws(await t.token('admin')), query, variables)));
  for (const s of subs) await s.until((r) => r.length >= 1, 10_000);
  return subs;
}

describe('shared live KPIs', () => {
  it("reads a campaign's KPIs once per notice for all its subscribers, pushes only changes, and lets go with the last subscriber", async () => {
    const created = await t.gql(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
      { input: { name: uniqueId('Fan-out'), startsAt: new Date(Date.now() - 3600_000).toISOString(), endsAt: new Date(Date.now() + 3600_000).toISOString(), budget: 10 } },
      await t.token('admin'),
    );
    const id = created.data.createCampaign.id as string;
    const subs = await subscribers(KPIS, { id });
    expect(subs.map((s) => s.results[0]!.data.campaignKpisUpdated.impressions)).toEqual(subs.map(() => 0));
    expect(await metric('live_sources_active', 'campaign_kpis')).toBe(1);
    const before = await metric('live_computations_total', 'campaign_kpis');

    // Notices that change nothing, as the rollup sends every few seconds: one computation each, for all subscribers.
    for (let i = 1; i <= 3; i++) {
      await notice(topics.campaign(id));
      await eventually(async () => (await metric('live_computations_total', 'campaign_kpis')) === before + i, 10_000, `notice ${i} to be computed once`);
    }

    // A real change, the sentinel: every subscriber gets it, and none was sent anything in between.
    const event = { id: uniqueId('e'), type: 'IMPRESSION', userId: uniqueId('u'), campaignId: id };
    const recorded = await t.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) { accepted } }`, { e: [event] }, service);
    expect(recorded.data.recordEvents.accepted).toBe(1);
    for (const s of subs) await s.until((r) => r.at(-1)?.data.campaignKpisUpdated.impressions === 1, 10_000);
    expect(subs.map((s) => s.results.map((r) => r.data.campaignKpisUpdated.impressions))).toEqual(subs.map(() => [0, 1]));
    // The worker's one notice for that event: one more computation, not one per subscriber.
    expect(await metric('live_computations_total', 'campaign_kpis')).toBe(before + 4);

    for (const s of subs) s.unsubscribe();
    await eventually(async () => (await metric('live_sources_active', 'campaign_kpis')) === 0, 10_000, 'the campaign to be let go');
  });

  it('computes store-wide sales once per notice for all subscribers of a window, and lets go with the last one', async () => {
    const subs = await subscribers(`subscription { salesMetricsUpdated(windowMinutes: 7) { orders revenue } }`);
    expect(await metric('live_sources_active', 'sales_metrics')).toBe(1);
    const before = await metric('live_computations_total', 'sales_metrics');
    for (let i = 1; i <= 3; i++) {
      await notice(topics.sales());
      await eventually(async () => (await metric('live_computations_total', 'sales_metrics')) === before + i, 10_000, `notice ${i} to be computed once`);
    }
    for (const s of subs) s.unsubscribe();
    await eventually(async () => (await metric('live_sources_active', 'sales_metrics')) === 0, 10_000, 'the window to be let go');
  });
});
