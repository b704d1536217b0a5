/** Debian's Chromium through playwright-core, with every console error and page error collected. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  readonly errors: string[];
  /** Every URL the page requested. */
  readonly requests: string[];
  screenshot(name: string): Promise<string>;
}

export async function watchedPage(browser: Browser, viewport = { width: 1366, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  return {
    page,
    context,
    errors,
    requests,
    screenshot: async (name) => {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
}

/**
 * Pages opened in one describe block, each checked after its test: no page error and no request
 * to anywhere but the service (the dashboard loads nothing from outside). Call inside `describe`.
 */
export function watchedPages(browser: () => Browser, origin: () => string) {
  const pages: WatchedPage[] = [];
  afterEach(() => {
    for (const w of pages.splice(0)) {
      expect(w.errors).toEqual([]);
      expect(w.requests.filter((u) => !u.startsWith(origin()) && !u.startsWith('data:'))).toEqual([]);
    }
  });
  return async (viewport?: { width: number; height: number }): Promise<WatchedPage> => {
    const w = await watchedPage(browser(), viewport);
    pages.push(w);
    return w;
  };
}
