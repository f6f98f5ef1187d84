// The live link across a platform restart: the UI shows it reconnecting, reconnects by itself, and then shows
// the values that changed while it was away (recorded meanwhile through a second API instance).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, uniqueId, type TestPlatform } from '../test/support/platform';
import { launchChromium, openPage } from './support/browser';
import { RECORD } from './support/shop';

/** What Chromium logs while the server is away; nothing else may appear. */
const SERVER_AWAY = /WebSocket connection to '.*\/graphql' failed|net::ERR_CONNECTION_REFUSED/;

let t: TestPlatform;
let other: TestPlatform | undefined;
let browser: Browser;
beforeAll(async () => {
  t = await startTestPlatform({ KPI_THROTTLE_MS: '100' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([t?.stop(), other?.stop()]);
});

describe('live link', () => {
  it('reconnects by itself after the platform restarts and re-reads what changed meanwhile', async () => {
    const admin = await t.token('admin', 'ops');
    const created = await t.gql(
      `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }`,
      { i: { name: 'Restart test', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), budget: 10 } },
      admin,
    );
    const campaignId = created.data.createCampaign.id as string;
    await t.gql(`mutation($id: ID!) { setCampaignStatus(id: $id, status: ACTIVE) { id } }`, { id: campaignId }, admin);

    const w = await openPage(browser, 'desktop', t.url);
    try {
      const { page } = w;
      await page.goto('/admin/');
      await page.locator('#token').fill(admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Signing in checks the token with the server first; navigating before it is kept lands on the sign-in page.
      await page.locator('nav.nav').waitFor();
      await page.goto(`/admin/campaigns/${campaignId}`);
      const impressions = page.getByTestId('kpi-impressions-value');
      await impressions.filter({ hasText: /^0$/ }).waitFor();
      const pill = page.getByTestId('link-pill');
      await pill.filter({ hasText: 'Connected' }).waitFor();

      // The platform goes away (graceful stop: WebSockets close with 1001)…
      const port = t.platform.port;
      const env = t.env;
      await t.stop();
      await pill.filter({ hasText: /Reconnecting|Offline/ }).waitFor();
      // …while another API instance of the same deployment records impressions.
      other = await startTestPlatform({ ROLE: 'all', REDIS_PREFIX: env.REDIS_PREFIX!, KPI_THROTTLE_MS: '100' });
      const service = await other.token('service');
      const res = await other.gql(RECORD, { e: Array.from({ length: 4 }, () => ({ id: uniqueId('e'), type: 'IMPRESSION', userId: 'u', campaignId })) }, service);
      expect(res.data.recordEvents.accepted).toBe(4);
      await eventually(async () => {
        const k = await other!.gql(`query($id: ID!) { campaign(id: $id) { kpis { impressions } } }`, { id: campaignId }, admin);
        return k.data.campaign.kpis.impressions === 4;
      }, 15_000, 'the impressions applied');
      expect(await impressions.textContent()).toBe('0');
      await w.screenshot('campaign-reconnecting');

      // The platform comes back on the same address: the page reconnects and shows the current value.
      t = await startTestPlatform({ PORT: String(port), REDIS_PREFIX: env.REDIS_PREFIX!, KPI_THROTTLE_MS: '100' });
      await pill.filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
      await impressions.filter({ hasText: /^4$/ }).waitFor();
      await page.getByRole('link', { name: 'System' }).first().click();
      await page.getByTestId('link-reconnects').filter({ hasText: /^1$/ }).waitFor();
      expect(w.errors.filter((e) => !SERVER_AWAY.test(e))).toEqual([]);
    } finally {
      await w.context.close();
    }
  });
});
