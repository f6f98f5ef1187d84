// Signing in and being signed out: precise messages for tokens that are malformed, of the wrong role, expired
// or forged; a session whose token expires asks for a new one and goes on where it was; and a stored token that
// the server refuses over HTTP (401, UNAUTHENTICATED) or over the live link (close code 4403).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/auth/tokens';
import { startTestPlatform, type TestPlatform } from '../test/support/platform';
import { launchChromium, openPage, type WatchedPage } from './support/browser';

const TOKEN_KEY = 'flywheel.admin.token';
/** What Chromium logs for a refused request: expected exactly where a test makes the server refuse a token. */
const HTTP_401 = /Failed to load resource: the server responded with a status of 401/;

let t: TestPlatform;
let browser: Browser;
let forged: string;
beforeAll(async () => {
  t = await startTestPlatform();
  // Well-formed, admin, not expired, but signed with another secret.
  forged = await new TokenService('another-secret-of-enough-length').sign({ sub: 'intruder', role: 'admin' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('sign-in', () => {
  let w: WatchedPage;
  let page: Page;
  beforeAll(async () => {
    w = await openPage(browser, 'desktop', t.url);
    page = w.page;
    await page.goto('/admin/');
  });
  afterAll(() => w?.context.close());

  const attempt = async (token: string) => {
    await page.locator('#token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page.getByTestId('signin-error');
  };

  it('explains what is wrong with a token before keeping it', async () => {
    expect(await (await attempt('hello')).textContent()).toMatch(/not a token/);
    expect(await (await attempt(await t.token('shopper', 'u1'))).textContent()).toMatch(/role is shopper; the admin UI needs an admin token/);
    expect(await (await attempt(await t.token('admin', 'old', -60))).textContent()).toMatch(/expired on/);
    // Nothing was sent for those: they are refused from their claims.
    expect(w.errors).toEqual([]);

    const refused = await attempt(forged);
    await refused.filter({ hasText: 'The server rejected the token: Invalid token.' }).waitFor();
    expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBeNull();
    await w.screenshot('signin-rejected');
    expect(w.errors.length).toBe(1);
    expect(w.errors[0]).toMatch(HTTP_401);
  });
});

describe('sessions that end', () => {
  it('asks for a new token when the token expires, and goes on where it was with the new one', async () => {
    const w = await openPage(browser, 'phone', t.url);
    try {
      await w.page.goto('/admin/');
      await w.page.locator('#token').fill(await t.token('admin', 'brief', 4));
      await w.page.getByRole('button', { name: 'Sign in' }).click();
      await w.page.locator('nav.nav').getByRole('link', { name: 'System', exact: true }).click();
      await w.page.locator('[data-testid=link-state][data-state=connected]').waitFor();
      await w.page.getByTestId('signin-notice').filter({ hasText: /Your session expired at \d\d:\d\d:\d\d\. Sign in again/ }).waitFor({ timeout: 20_000 });
      expect(await w.page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY)).toBeNull();
      // The page stays behind the dialog, and the server closed the live link at the token's expiry.
      expect(new URL(w.page.url()).pathname).toBe('/admin/system');
      await w.page.locator('[data-testid=link-state][data-state=offline]').waitFor();
      await w.screenshot('signin-expired');

      // A fresh token: same page, the live link back (one reconnection, with the new token), nothing reloaded.
      await w.page.locator('#token').fill(await t.token('admin', 'brief'));
      await w.page.getByRole('button', { name: 'Sign in' }).click();
      await w.page.getByRole('dialog').waitFor({ state: 'detached' });
      await w.page.locator('[data-testid=link-state][data-state=connected]').waitFor();
      await w.page.getByTestId('link-reconnects').filter({ hasText: /^1$/ }).waitFor();
      expect(new URL(w.page.url()).pathname).toBe('/admin/system');
      expect(await w.page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
      expect(w.errors).toEqual([]);
    } finally {
      await w.context.close();
    }
  });

  it('asks for a new token when the server refuses the stored token over HTTP (401)', async () => {
    const w = await openPage(browser, 'desktop', t.url);
    try {
      await w.context.addInitScript(([k, v]) => sessionStorage.setItem(k!, v!), [TOKEN_KEY, forged]);
      // Keep the live link from answering first: only HTTP can refuse the token here.
      await w.page.routeWebSocket(/\/graphql$/, () => undefined);
      await w.page.goto('/admin/campaigns');
      await w.page.getByTestId('signin-notice').filter({ hasText: 'The server rejected the token: Invalid token.' }).waitFor();
      expect(w.errors.length).toBeGreaterThanOrEqual(1);
      expect(w.errors.every((e) => HTTP_401.test(e))).toBe(true);
    } finally {
      await w.context.close();
    }
  });

  it('asks for a new token when the server closes the live link with 4403', async () => {
    const w = await openPage(browser, 'desktop', t.url);
    try {
      await w.context.addInitScript(([k, v]) => sessionStorage.setItem(k!, v!), [TOKEN_KEY, forged]);
      // HTTP requests are held, never answered: only the live link can refuse the token here.
      await w.page.route('**/graphql', () => undefined);
      await w.page.goto('/admin/system');
      await w.page.getByTestId('signin-notice').filter({ hasText: 'The server no longer accepts this token. Sign in again with a new admin token.' }).waitFor();
      expect(w.errors).toEqual([]);
    } finally {
      await w.context.close();
    }
  });
});
