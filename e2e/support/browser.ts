// Debian's Chromium driven by playwright-core (a Playwright browser download is not possible here):
// `apt-get install -y chromium`. Each test gets a fresh profile (Playwright's launch uses a new temporary
// user-data-dir) and its console errors are collected so that tests can require there were none.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions so far. */
  errors: string[];
  /** Content-Security-Policy violations the page reported so far (`securitypolicyviolation` events). */
  cspViolations(): Promise<string[]>;
  screenshot(name: string): Promise<string>;
}

export async function openPage(browser: Browser, viewport: ViewportName, baseUrl: string): Promise<WatchedPage> {
  const phone = viewport === 'phone';
  const context = await browser.newContext({ viewport: VIEWPORTS[viewport], baseURL: baseUrl, isMobile: phone, hasTouch: phone, deviceScaleFactor: 1 });
  // Recorded by the page itself, in every document it loads: Chromium also logs each violation as a console error,
  // but this names the directive and the blocked resource, and does not depend on the console's wording.
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(`${e.effectiveDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    errors,
    cspViolations: () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
    async screenshot(name) {
      const path = join(ARTIFACTS, `${name}-${viewport}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
  };
}
