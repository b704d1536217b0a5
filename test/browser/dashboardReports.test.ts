/// <reference lib="dom" />
/**
 * The reports page (issue 21 item 8) in a real Chromium against the whole service on its embedded
 * defaults: the selected month's HTML report previewed in the page (summary at the top, signature
 * block at the end), finalising only by an admin, only for a month that has ended (the button is
 * disabled with the reason otherwise), and only after a confirmation naming the month and saying it
 * cannot be undone; cancelling finalises nothing. The default month is the server's latest ended
 * month whatever the browser's clock says; the preview is not logged as a download; revision
 * reasons are words only. zh-CN and English, 1440 and 768 px.
 *
 * The service's clock is fixed at 2 July 2026 12:00 (+08:00): June 2026 has ended, July has not.
 */
import type { Browser } from 'playwright-core';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser';

const AT = Date.parse('2026-07-02T12:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const config = testConfig({
  auth: authSection(),
  enterprises: [
    { id: 'alu01', name: '重庆示例铝业有限公司', industry: '3216', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
});

const text = async (w: WatchedPage, selector: string): Promise<string> => ((await w.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

async function signIn(w: WatchedPage, baseUrl: string, token: string, language: 'zh-CN' | 'en'): Promise<void> {
  // The init script runs in every frame; the preview frame is sandboxed (no storage): the top page only.
  await w.context.addInitScript((l) => {
    if (window === window.top) localStorage.setItem('energy-monitor.lang', l);
  }, language);
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

async function selectMonth(w: WatchedPage, month: string): Promise<void> {
  await w.page.fill('#report-month', month);
  await w.page.dispatchEvent('#report-month', 'change');
  await w.page.waitForFunction(
    (m) => (document.querySelector('#report-preview-frame') as HTMLIFrameElement | null)?.src.includes(`month=${m}`),
    month,
  );
}

// A late hour of June for the aluminium works, written straight to the store (no change is recorded for it).
const late: HourlyConsumption = {
  enterprise: 'alu01',
  meter: 'e-main',
  carrier: 'electricity',
  unit: 'kWh',
  hour: Date.parse('2026-06-10T10:00:00+08:00'),
  quantity: 50_000,
};

/** The revision table's reasons column, newest revision first. */
async function reasonCells(w: WatchedPage): Promise<string[]> {
  const header = await w.page.$$eval('#revision-table thead th', (ths) => ths.map((th) => th.textContent?.trim() ?? ''));
  const col = header.findIndex((x) => x.startsWith('修订原因') || x.startsWith('Revised for'));
  expect(col).toBeGreaterThanOrEqual(0);
  const rows = await w.page.$$eval(
    '#revision-table tbody tr',
    (trs, c) => trs.map((tr) => [tr.children[1]?.textContent ?? '', tr.children[c]?.textContent?.trim() ?? ''] as const),
    col,
  );
  // Newest first by revision number, whatever the table's current sort.
  return [...rows].sort((a, b) => b[0].localeCompare(a[0])).map(([, reason]) => reason);
}

maybe('dashboard reports page in Chromium', () => {
  let svc: RunningApp;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const open = async (viewport: { width: number; height: number }) => {
    const w = await watchedPage(browser, viewport);
    pages.push(w);
    return w;
  };
  const revisions = async (month: string): Promise<unknown[]> =>
    (await svc.get(`/api/reports/revisions?month=${month}`, TOKENS.admin)).body as unknown[];

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
    await svc.app.rules.stop();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });
  afterEach(() => {
    for (const w of pages.splice(0)) {
      expect(w.errors).toEqual([]);
      expect(w.requests.filter((u) => !u.startsWith(svc.baseUrl) && !u.startsWith('data:'))).toEqual([]);
    }
  });

  it("defaults to the server's latest ended month under a misleading browser clock; the preview is not a download", async () => {
    const w = await open({ width: 1440, height: 900 });
    // The browser believes it is January 2031: a month taken from its clock would be 2030-12.
    // (An init script in the top page only: the sandboxed preview frame runs no script.)
    await w.context.addInitScript((fake) => {
      if (window !== window.top) return;
      const Real = Date;
      class Misleading extends Real {
        constructor(...args: ConstructorParameters<DateConstructor> | []) {
          if (args.length === 0) super(fake);
          else super(...(args as ConstructorParameters<DateConstructor>));
        }
        static override now(): number {
          return fake;
        }
      }
      window.Date = Misleading as DateConstructor;
    }, Date.parse('2031-01-15T03:00:00Z'));
    await signIn(w, svc.baseUrl, TOKENS.admin, 'zh-CN');
    await w.page.goto(`${svc.baseUrl}/#/reports`);
    await w.page.waitForSelector('#report-month');
    expect(await w.page.evaluate(() => [new Date().getFullYear(), new Date(Date.now()).getMonth()])).toEqual([2031, 0]);
    expect(await w.page.inputValue('#report-month')).toBe('2026-06');
    expect(await w.page.getAttribute('#report-preview-frame', 'src')).toContain('month=2026-06');
    await w.page.frameLocator('#report-preview-frame').locator('#summary').waitFor();

    type Logged = { who: string; month: string; format: string };
    const logged = async (): Promise<Logged[]> =>
      ((await svc.get('/api/reports/downloads', TOKENS.admin)).body as Logged[]).filter((d) => d.month === '2026-06');
    expect(await logged()).toEqual([]);
    // A real download of the same HTML is recorded.
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('.filters a[data-format="html"][data-month="2026-06"]')]);
    await download.path();
    expect(await logged()).toEqual([expect.objectContaining({ who: 'admin', format: 'html' })]);
  });

  it('zh-CN: previews the month, refuses a month not ended, and asks before finalising', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.admin, 'zh-CN');
    await w.page.goto(`${svc.baseUrl}/#/reports`);
    await w.page.waitForSelector('#report-month');

    await selectMonth(w, '2026-07');
    await w.page.waitForSelector('#finalise');
    expect(await w.page.isDisabled('#finalise')).toBe(true);
    expect(await text(w, '#finalise-reason')).toContain('2026年7月 尚未结束（2026-08-01 00:00 结束），不能定稿');

    await selectMonth(w, '2026-06');
    await w.page.waitForSelector('#finalise:not([disabled])');
    expect(await text(w, '#finalise')).toBe('定稿 2026年6月');
    // The preview is the month's HTML report, a draft, with its summary and signature block.
    const frame = w.page.frameLocator('#report-preview-frame');
    await frame.locator('#summary').waitFor();
    expect(await frame.locator('#summary').textContent()).toContain('2026年6月');
    expect(await frame.locator('.draft').textContent()).toContain('草稿 / DRAFT');
    expect(await frame.locator('#signatures').textContent()).toContain('批准');
    await w.screenshot('dashboard-reports-preview-zh-1440');

    await w.page.click('#finalise');
    await w.page.waitForSelector('#finalise-dialog[open]');
    const ask = await text(w, '#finalise-dialog');
    expect(ask).toContain('确认定稿 2026年6月 月报？');
    expect(ask).toContain('不可撤销');
    await w.screenshot('dashboard-reports-confirm-zh-1440');
    await w.page.click('#finalise-cancel');
    await w.page.waitForSelector('#finalise-dialog', { state: 'detached' });
    expect(await revisions('2026-06')).toEqual([]);

    await w.page.click('#finalise');
    await w.page.click('#finalise-confirm');
    await w.page.waitForSelector('#revision-table');
    expect(await revisions('2026-06')).toHaveLength(1);

    // Late data with no recorded change: revision 2 is made "found at a recheck"; the page names the reason in words only.
    await svc.app.store.write({ readings: [], hourly: [late] });
    expect((await svc.post('/api/reports/monthly/finalise?month=2026-06', {})).body).toMatchObject({ revision: 2, reasons: ['recheck'] });
    await w.page.reload();
    await w.page.waitForSelector('#revision-table tbody tr:nth-child(2)');
    const rows = await reasonCells(w);
    expect(rows).toEqual(['复核发现（无记录的变更）', '首次定稿']);
    // Revision 2's note is stored in the service's words (English): labelled as recorded, marked lang="en".
    const note = await w.page.$eval('#revision-table tbody', (tb) => {
      const span = tb.querySelector('[data-recorded]');
      return span ? { label: span.parentElement?.textContent ?? '', lang: span.getAttribute('lang') } : null;
    });
    expect(note).toMatchObject({ label: expect.stringContaining('修订说明原文: revision 2 replaces 1') as unknown, lang: 'en' });
  });

  it('English at 768 px: the same words in English; an auditor sees no finalise button', async () => {
    const w = await open({ width: 768, height: 1024 });
    await signIn(w, svc.baseUrl, TOKENS.admin, 'en');
    await w.page.goto(`${svc.baseUrl}/#/reports`);
    await w.page.waitForSelector('#report-month');
    await selectMonth(w, '2026-07');
    await w.page.waitForSelector('#finalise[disabled]');
    expect(await text(w, '#finalise-reason')).toContain('July 2026 has not ended (it ends 2026-08-01 00:00): it cannot be finalised yet');
    await selectMonth(w, '2026-05');
    await w.page.waitForSelector('#finalise:not([disabled])');
    await w.page.click('#finalise');
    const ask = await text(w, '#finalise-dialog');
    expect(ask).toContain('Finalise the May 2026 report?');
    expect(ask).toContain('cannot be undone');
    await w.page.click('#finalise-cancel');
    expect(await revisions('2026-05')).toEqual([]);
    const frame = w.page.frameLocator('#report-preview-frame');
    await frame.locator('#summary').waitFor();
    expect(await frame.locator('#summary').textContent()).toContain('May 2026');
    expect(await frame.locator('#signatures').textContent()).toContain('Approved by');
    expect(await reasonCells(w)).toEqual(['found at a recheck (no recorded change)', 'first finalised revision']);
    await w.screenshot('dashboard-reports-preview-en-768');

    const auditor = await open({ width: 1440, height: 900 });
    await signIn(auditor, svc.baseUrl, TOKENS.auditor, 'zh-CN');
    await auditor.page.goto(`${svc.baseUrl}/#/reports`);
    await auditor.page.waitForSelector('#report-preview-frame');
    expect(await auditor.page.locator('#finalise').count()).toBe(0);
  });
});
