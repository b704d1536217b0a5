/// <reference lib="dom" />
/**
 * The alarm history page (issue 21 item 7) in a real Chromium against the whole service on its
 * embedded defaults (aedes broker, SQLite store). The alarms are written into the alarm store at
 * chosen instants (the rule cycle is stopped, so that none clears them), then an officer filters,
 * shares the filtered view by its address, acknowledges with a comment, adds a later comment,
 * exports CSV and XLSX, in zh-CN and English, at 1440 and 768 px; an auditor sees no form.
 *
 * Open warning and critical alarms: c1 (critical, alu01) and w1 (warning, cem01) = 2, the number
 * the overview counts (its card sums warning + critical of the open alarms of each enterprise).
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import type { Alarm } from '../../services/energy/alarm';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPages, type WatchedPage } from '../helpers/browser';
import { parseCsv } from '../helpers/csv';

const AT = Date.parse('2026-07-02T12:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const config = testConfig({
  auth: authSection(),
  enterprises: [
    { id: 'alu01', name: '重庆示例铝业有限公司', industry: '3216', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
});

const ids = { c1: 0, w1: 0, w2: 0 };

async function seed(svc: RunningApp): Promise<void> {
  const store = svc.app.alarms;
  const raise = async (type: Alarm['type'], enterprise: string, meter: string | null, severity: Alarm['severity'], iso: string, message: string) =>
    (await store.raise({ type, enterprise, meter, severity, message, value: 1.5, threshold: 1, unit: 'share' }, Date.parse(iso))).id;
  ids.c1 = await raise('quota', 'alu01', null, 'critical', '2026-07-01T09:00:00+08:00', '能耗总量超出进度');
  ids.w1 = await raise('tariff', 'cem01', null, 'warning', '2026-06-20T10:00:00+08:00', '单位产品电耗超过阶梯电价门槛');
  ids.w2 = await raise('threshold', 'alu01', 'e-main', 'warning', '2026-05-15T10:00:00+08:00', '功率越限');
  await store.clear(ids.w2, Date.parse('2026-05-15T11:00:00+08:00'));
  await raise('data-quality', 'alu01', 'e-main', 'info', '2026-07-02T08:00:00+08:00', '读数重复');
  await raise('data-quality', 'cem01', 'e-main', 'info', '2026-07-02T09:00:00+08:00', '读数重复');
  await raise('calibration', 'cem01', 'e-main', 'info', '2026-06-28T09:00:00+08:00', '检定将到期');
}

const text = async (w: WatchedPage, selector: string): Promise<string> => ((await w.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
const cardIds = async (w: WatchedPage, selector: string): Promise<number[]> =>
  w.page.$$eval(selector, (cards) => cards.map((c) => Number(c.getAttribute('data-alarm'))));

async function signIn(w: WatchedPage, baseUrl: string, token: string): Promise<void> {
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

async function download(w: WatchedPage, selector: string): Promise<Buffer> {
  const [file] = await Promise.all([w.page.waitForEvent('download'), w.page.click(selector)]);
  return readFileSync((await file.path())!);
}

maybe('dashboard alarm history in Chromium', () => {
  let svc: RunningApp;
  let browser: Browser;
  const open = watchedPages(
    () => browser,
    () => svc.baseUrl,
  );

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
    await svc.app.rules.stop();
    await seed(svc);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('shows critical and warning first, folds info by type, and counts what the overview counts', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/alarms`);
    await w.page.waitForSelector('#alarms-important .alarm-card');
    // Open (not cleared) alarms, newest first: c1 (1 July), w1 (20 June); w2 is cleared.
    expect(await cardIds(w, '#alarms-important .alarm-card')).toEqual([ids.c1, ids.w1]);
    expect(await text(w, '#alarm-open-count')).toContain('未解除的警告和严重告警 2 条');
    const overview = (await svc.get('/api/district/overview', TOKENS.officer)).body as {
      enterprises: { alarms: { warning: number; critical: number } }[];
    };
    expect(overview.enterprises.reduce((n, e) => n + e.alarms.warning + e.alarms.critical, 0)).toBe(2);
    const groups = await w.page.$$eval('details.info-group > summary', (s) => s.map((x) => (x.textContent ?? '').trim()));
    expect(groups).toEqual(['提示 · 数据质量（2 条）', '提示 · 计量检定（1 条）']);
    expect(await w.page.isVisible('details.info-group[data-type="data-quality"] .alarm-card')).toBe(false);
    await w.page.click('details.info-group[data-type="data-quality"] > summary');
    expect(await w.page.isVisible('details.info-group[data-type="data-quality"] .alarm-card')).toBe(true);
    await w.screenshot('dashboard-alarms-history-zh-1440');
  });

  it('filters by severity, state and dates, keeps them in the address, and a shared address shows the same', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/alarms`);
    await w.page.waitForSelector('#alarm-filters');
    await w.page.selectOption('#alarm-state', 'all');
    await w.page.check('input[name="severity"][value="warning"]');
    await w.page.fill('#alarm-from', '2026-05-01');
    await w.page.fill('#alarm-to', '2026-06-20');
    await w.page.click('#alarm-apply');
    // 1 May to 20 June inclusive: w1 (20 June 10:00) and w2 (15 May, cleared); c1 is critical, the info items are info.
    await w.page.waitForFunction(
      () => location.hash.includes('severity=warning') && document.querySelectorAll('#alarms-important .alarm-card').length === 2,
    );
    expect(await cardIds(w, '#alarms-important .alarm-card')).toEqual([ids.w1, ids.w2]);
    expect(await w.page.locator('#alarms-info').count()).toBe(0);
    const shared = w.page.url();
    expect(shared).toContain('#/alarms/state=all&severity=warning&from=2026-05-01&to=2026-06-20');

    const other = await open({ width: 1440, height: 900 });
    await signIn(other, svc.baseUrl, TOKENS.auditor);
    await other.page.goto(shared);
    await other.page.waitForSelector('#alarms-important .alarm-card');
    expect(await cardIds(other, '#alarms-important .alarm-card')).toEqual([ids.w1, ids.w2]);
    expect(await other.page.inputValue('#alarm-from')).toBe('2026-05-01');
    expect(await other.page.isChecked('input[name="severity"][value="warning"]')).toBe(true);
    // The auditor reads, and has no acknowledge or comment form.
    expect(await other.page.locator('.alarm-form').count()).toBe(0);
  });

  it('acknowledges with a comment, adds a later one, and exports what the page shows (zh-CN)', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/alarms`);
    const card = `.alarm-card[data-alarm="${ids.c1}"]`;
    await w.page.waitForSelector(`${card} button.ack`);
    await w.page.fill(`${card} textarea.comment`, '已电话通知企业，要求三日内报送整改方案');
    await w.page.click(`${card} button.ack`);
    await w.page.waitForSelector(`${card} .alarm-note`);
    expect(await text(w, `${card} .alarm-notes`)).toContain('officer · 确认时已电话通知企业，要求三日内报送整改方案');
    expect(await text(w, `${card} .alarm-state`)).toContain('已确认 · 确认人 officer');
    await w.page.click(`${card} details.note-more > summary`);
    await w.page.fill(`${card} details.note-more textarea.comment`, '企业已报送方案');
    await w.page.click(`${card} button.add-note`);
    await w.page.waitForFunction((sel) => document.querySelectorAll(`${sel} .alarm-note`).length === 2, card);
    expect(await text(w, `${card} .alarm-notes`)).toContain('officer · 补充企业已报送方案');

    const csv = parseCsv((await download(w, '#export-csv')).toString('utf8').replace(/^\uFEFF/, ''));
    expect(csv[0]!.slice(0, 4)).toEqual(['编号', '级别', '类型', '企业']);
    // Open alarms, every severity, newest first: two info items of 2 July, c1, the calibration item, w1.
    expect(csv.slice(1).map((r) => r[1])).toEqual(['提示', '提示', '严重', '提示', '警告']);
    const c1 = csv.find((r) => r[0] === String(ids.c1))!;
    expect(c1[3]).toBe('重庆示例铝业有限公司');
    expect(c1[11]).toBe('2026-07-01 09:00:00');
    expect(c1[15]).toBe('2026-07-02 12:00:00 officer: 已电话通知企业，要求三日内报送整改方案\n2026-07-02 12:00:00 officer: 企业已报送方案');
    await w.screenshot('dashboard-alarms-acknowledged-zh-1440');
  });

  it('reads in English and exports XLSX with English words', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.click('#lang-switch');
    await w.page.goto(`${svc.baseUrl}/#/alarms/state=all`);
    await w.page.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#alarms-important .alarm-card') !== null);
    expect(await text(w, '#alarms-important h2')).toBe('Critical and warning (3)');
    // c1 acknowledged above stays open (acknowledged is not cleared): still 2, as on the overview.
    expect(await text(w, '#alarm-open-count')).toContain('2 open warning and critical alarms');
    const groups = await w.page.$$eval('details.info-group > summary', (s) => s.map((x) => (x.textContent ?? '').trim()));
    expect(groups).toEqual(['Info · data quality (2)', 'Info · calibration (1)']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(w, '#export-xlsx')) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Alarms')!;
    expect((ws.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['ID', 'Severity', 'Type']);
    // state=all: 6 alarms + the header.
    expect(ws.rowCount).toBe(7);
    const severities = [2, 3, 4, 5, 6, 7].map((n) => ws.getRow(n).getCell(2).value);
    expect(severities).toEqual(['info', 'info', 'critical', 'info', 'warning', 'warning']);
    await w.screenshot('dashboard-alarms-history-en-1440');
  });

  it('fits a 768 px tablet: no sideways scroll, 确认 on one line, zh-CN and English', async () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const w = await open({ width: 768, height: 1024 });
      await signIn(w, svc.baseUrl, TOKENS.admin);
      if (language === 'en') await w.page.click('#lang-switch');
      // A new active alarm to acknowledge, so that the button is there.
      const id = (
        await svc.app.alarms.raise(
          {
            type: 'silence',
            enterprise: 'alu01',
            meter: `tablet-${language}`,
            severity: 'warning',
            message: '数据中断',
            value: null,
            threshold: null,
            unit: null,
          },
          AT,
        )
      ).id;
      await w.page.goto(`${svc.baseUrl}/#/alarms`);
      const button = w.page.locator(`.alarm-card[data-alarm="${id}"] button.ack`);
      await button.waitFor();
      const layout = await w.page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
      expect(layout.scroll).toBeLessThanOrEqual(layout.width);
      const box = await button.evaluate((b) => ({
        height: b.getBoundingClientRect().height,
        line: parseFloat(getComputedStyle(b).lineHeight) || 22,
        wrap: getComputedStyle(b).whiteSpace,
      }));
      expect(box.wrap).toBe('nowrap');
      // One line of text plus padding and border: well under two lines.
      expect(box.height).toBeLessThan(box.line * 2 + 4);
      await w.screenshot(`dashboard-alarms-${language}-768`);
    }
  });
});
