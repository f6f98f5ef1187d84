// The admin UI in a real browser against a real platform, at a desktop and a phone viewport: sign in, live
// campaign KPIs, live sales, a low-stock alert as it happens and a restock, a model training, the storefront
// preview's recommendations following a click, the live link and the queues. Every page is screenshotted into
// test-artifacts/ and no page may log a console error.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, uniqueId, whenSubscribed, type TestPlatform } from '../test/support/platform';
import { launchChromium, openPage, type ViewportName, type WatchedPage } from './support/browser';
import { RECORD, seedShop, type Shop } from './support/shop';

const VIEWPORTS: ViewportName[] = ['desktop', 'phone'];

let t: TestPlatform;
let browser: Browser;
let admin: string;
let service: string;
let shop: Shop;

beforeAll(async () => {
  // Fast rollups and pushes so that charts and sales move within a second; trainings only when asked.
  t = await startTestPlatform({ KPI_ROLLUP_INTERVAL_MS: '1000', KPI_THROTTLE_MS: '100', TRAIN_INTERVAL_MS: '0', TRAIN_AFTER_EVENTS: '0' });
  admin = await t.token('admin', 'e2e-admin');
  service = await t.token('service');
  shop = await seedShop(t, admin, service, VIEWPORTS);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const record = async (events: Array<Record<string, unknown>>) => {
  const res = await t.gql(RECORD, { e: events.map((e) => ({ id: uniqueId('e2e'), ...e })) }, service);
  expect(res.errors).toBeUndefined();
};
const numberIn = async (l: Locator) => Number((await l.textContent())?.replace(/[^0-9.]/g, '') ?? NaN);
/** Waits until the figure shown by `l` satisfies `ok` (live pushes arrive in their own time). */
const figure = (l: Locator, ok: (n: number) => boolean, what: string) => eventually(async () => ok(await numberIn(l)), 30_000, what);
const nav = (page: Page, name: string) => page.locator('nav.nav').getByRole('link', { name, exact: true }).click();

async function signIn(page: Page, token: string) {
  await page.goto('/admin/');
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav.nav').waitFor();
}

/** A shopper id that the A/B split serves from the `model` variant (the other one serves plain popularity). */
async function shopperInModelVariant(): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const id = uniqueId('shopper');
    const res = await t.gql(`query($u: ID!) { recommendations(userId: $u, limit: 1) { variant } }`, { u: id }, admin);
    if (res.data?.recommendations.variant === 'model') return id;
  }
  throw new Error('no shopper id in the model variant');
}

describe.each(VIEWPORTS)('at the %s viewport', (viewport) => {
  let w: WatchedPage;
  let page: Page;
  beforeAll(async () => {
    w = await openPage(browser, viewport, t.url);
    page = w.page;
  });
  afterAll(async () => {
    await w?.context.close();
  });

  it('signs in with a pasted admin token and lists the campaigns with their KPIs', async () => {
    await page.goto('/admin/');
    await page.locator('#token').waitFor();
    await w.screenshot('signin');
    await signIn(page, admin);
    const row = page.locator('[data-testid=campaign-table] tr', { hasText: shop.campaignName });
    await row.waitFor();
    expect(await row.textContent()).toContain('active');
    expect(await page.evaluate(() => sessionStorage.getItem('flywheel.admin.token'))).toBe(admin);
    await page.locator('[data-testid=link-pill]', { hasText: 'Connected' }).waitFor();
    await w.screenshot('campaigns');
  });

  it('shows a campaign counter change live after events are recorded', async () => {
    // The page's KPI subscription is its only one: once the platform reports it started, the events below change
    // what it pushes.
    await whenSubscribed(t, () => page.locator('[data-testid=campaign-table]').getByRole('link', { name: shop.campaignName }).click());
    const impressions = page.getByTestId('kpi-impressions-value');
    const clicks = page.getByTestId('kpi-clicks-value');
    await impressions.waitFor();
    // The figures before the events, as the platform counts them (what the page's query and pushes both show).
    const kpis = await t.gql(`query($id: ID!) { campaign(id: $id) { kpis { impressions clicks } } }`, { id: shop.campaignId }, admin);
    const before = kpis.data.campaign.kpis as { impressions: number; clicks: number };
    const user = uniqueId('kpi-user');
    await record([
      ...Array.from({ length: 5 }, () => ({ type: 'IMPRESSION', userId: user, campaignId: shop.campaignId })),
      ...Array.from({ length: 2 }, () => ({ type: 'CLICK', userId: user, productId: 'sku-0003', campaignId: shop.campaignId })),
    ]);
    await figure(impressions, (n) => n === before.impressions + 5, 'impressions +5');
    await figure(clicks, (n) => n === before.clicks + 2, 'clicks +2');
    // The current minute's bar grows with the pushes.
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await w.screenshot('campaign');
  });

  it('creates, edits, activates, pauses and ends a campaign, with the server\'s field problems shown', async () => {
    await nav(page, 'Campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    const name = `Autumn ${viewport}`;
    await page.locator('#f-name').fill(name);
    await page.locator('#f-budget').fill('750');
    await page.locator('#f-productIds').fill('sku-0001, no-such-sku');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.locator('.field-problem', { hasText: 'names no catalog product (no-such-sku)' }).waitFor();
    await w.screenshot('campaign-form');
    await page.locator('#f-productIds').fill('sku-0001, sku-0002');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.locator('h1', { hasText: name }).filter({ hasText: 'draft' }).waitFor();

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.locator('#f-name').fill(`${name} (edited)`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    const title = page.locator('h1', { hasText: `${name} (edited)` });
    await title.filter({ hasText: 'draft' }).waitFor();
    for (const [button, status] of [['Activate', 'active'], ['Pause', 'paused'], ['Resume', 'active']]) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await title.filter({ hasText: status }).waitFor();
    }
    await page.getByRole('button', { name: 'End', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm: end for good' }).click();
    await title.filter({ hasText: 'ended' }).waitFor();
    expect(await page.getByRole('button', { name: 'End', exact: true }).count()).toBe(0);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const stored = await t.gql(`query($id: ID!) { campaign(id: $id) { name status budget productIds } }`, { id }, admin);
    expect(stored.data.campaign).toEqual({ name: `${name} (edited)`, status: 'ENDED', budget: 750, productIds: ['sku-0001', 'sku-0002'] });
  });

  it('shows store-wide sales moving', async () => {
    await nav(page, 'Sales');
    const orders = page.getByTestId('sales-orders-value');
    await orders.waitFor();
    const before = await numberIn(orders);
    await record(shop.plenty.slice(0, 3).map((p) => ({ type: 'PURCHASE', userId: uniqueId('buyer'), productId: p })));
    await figure(orders, (n) => n >= before + 3, 'three more orders');
    await w.screenshot('sales');
  });

  it('shows low-stock alerts live, newest first, and restocks', async () => {
    const low = shop.lowStock[viewport]!;
    // The alert feed is the page's only subscription, and pushes nothing at first: the platform says when it listens.
    await whenSubscribed(t, () => nav(page, 'Inventory'));
    await page.locator('.panel', { hasText: 'Alerts' }).waitFor();
    const feed = page.locator('[data-testid=alert-feed] > li');

    // 12 in stock, threshold 10: buying 3 leaves 9 (low), buying 9 more leaves 0 (out).
    await record([{ type: 'PURCHASE', userId: uniqueId('buyer'), productId: low.id, quantity: 3 }]);
    await page.locator(`[data-testid=alert-feed] > li.fresh[data-product="${low.id}"][data-kind=LOW_STOCK]`).waitFor();
    await record([{ type: 'PURCHASE', userId: uniqueId('buyer'), productId: low.id, quantity: 9 }]);
    await page.locator(`[data-testid=alert-feed] > li.fresh[data-product="${low.id}"][data-kind=OUT_OF_STOCK]`).waitFor();
    expect(await feed.nth(0).getAttribute('data-kind')).toBe('OUT_OF_STOCK');
    expect(await feed.nth(1).getAttribute('data-kind')).toBe('LOW_STOCK');
    expect(await feed.nth(1).getAttribute('data-product')).toBe(low.id);
    const row = page.locator(`[data-testid=low-stock-list] > li[data-product="${low.id}"]`);
    await row.waitFor();
    expect(await row.locator('.stock-level').textContent()).toMatch(/^0/);
    await w.screenshot('inventory');

    await row.locator('input').fill('80');
    await row.getByRole('button', { name: 'Restock' }).click();
    await page.getByTestId('restock-done').filter({ hasText: `${low.name} restocked to 80` }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.locator(`[data-testid=alert-feed] > li[data-product="${low.id}"][data-kind=BACK_IN_STOCK]`).waitFor();
    expect(await feed.nth(0).getAttribute('data-kind')).toBe('BACK_IN_STOCK');
    const stock = await t.gql(`query($id: ID!) { product(id: $id) { stock } }`, { id: low.id });
    expect(stock.data.product.stock).toBe(80);
  });

  it('retrains a model with progress and shows versions and the A/B experiment', async () => {
    await nav(page, 'Models');
    await page.getByTestId('experiment-table').waitFor();
    const variants = await page.locator('[data-testid=experiment-table] tbody tr td:first-child').allTextContents();
    expect(variants).toEqual(['model', 'popularity']);
    await page.getByRole('button', { name: 'Retrain now' }).click();
    await page.getByTestId('training-progress').waitFor();
    await page.locator('[data-testid=training-progress][data-status=SUCCEEDED]').waitFor({ timeout: 90_000 });
    await page.locator('[data-testid=model-table] tr', { hasText: 'active · serving' }).waitFor();
    await w.screenshot('models');
  });

  it('storefront preview: a click changes that shopper\'s recommendations live', async () => {
    const shopper = await shopperInModelVariant();
    await nav(page, 'Storefront');
    await page.locator('#shopper-id').fill(shopper);
    await page.getByRole('button', { name: 'Switch' }).click();
    const list = page.getByTestId('rec-list');
    await list.waitFor();
    await page.locator(`[data-testid=rec-list] code`, { hasText: shopper }).or(page.locator('.recs code', { hasText: shopper })).first().waitFor();
    const before = await list.getAttribute('data-list-id');
    const firstBefore = await list.locator('li').first().getAttribute('data-product');
    expect(shop.pair.slice(1)).not.toContain(firstBefore);

    const [clicked, ...together] = shop.pair;
    await page.locator(`[data-testid=product-grid] [data-product="${clicked}"] .product-open`).click();
    await page.getByTestId('sent-events').filter({ hasText: 'clicked' }).waitFor();
    await eventually(async () => (await list.getAttribute('data-list-id')) !== before, 20_000, 'a new list');
    const after = await list.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-product')));
    expect(after).not.toContain(clicked);
    expect(together).toContain(after[0]);
    expect(await list.locator('li').first().textContent()).toMatch(/together/i);
    await w.screenshot('storefront');
  });

  it('system page: the live link is connected, queues have workers, and a dropped link comes back', async () => {
    await nav(page, 'System');
    await page.locator('[data-testid=link-state][data-state=connected]').waitFor();
    await page.getByTestId('queue-table').waitFor();
    const queues = await page.locator('[data-testid=queue-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-queue')));
    expect(queues).toEqual(['events', 'inventory', 'rollups', 'training']);
    expect(await page.locator('[data-testid=queue-table] tbody tr', { hasText: 'healthy' }).count()).toBe(4);
    await page.getByTestId('dep-postgres-value').filter({ hasText: 'up' }).waitFor();
    await w.screenshot('system');

    await page.getByRole('button', { name: 'Reconnect now' }).click();
    await page.getByTestId('link-reconnects').filter({ hasText: /^1$/ }).waitFor();
    await page.locator('[data-testid=link-state][data-state=connected]').waitFor();
  });

  it('logged no console errors', () => {
    expect(w.errors).toEqual([]);
  });

  it('is served under a Content-Security-Policy that no page violates', async () => {
    const res = await page.request.get('/admin/campaigns');
    expect(res.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers()['x-frame-options']).toBe('DENY');
    // Every page once more, in this document (one document since sign-in: the violations of all pages are kept).
    for (const name of ['Campaigns', 'Sales', 'Inventory', 'Models', 'Storefront', 'System']) {
      await nav(page, name);
      await page.locator('main.content h1, main.content h2').first().waitFor();
    }
    expect(await w.cspViolations()).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
