/// <reference lib="dom" />
/**
 * The drill-down path and live drill-down pages (issue 21 item 2) in a real Chromium against the
 * whole service on its embedded defaults (aedes broker, SQLite store): the breadcrumb district ->
 * industry -> enterprise -> meter by clicking, back up by clicking, in zh-CN and English; an
 * enterprise manager's breadcrumb (their enterprise only); readings published over MQTT reaching
 * the meter page and the industry page without a reload.
 *
 * e-main of alu01 (industry 3216 铝冶炼): counter, multiplier 2. Readings on 2026-11-28 at
 * 00:00..01:00 every 15 min (100..120), then 03:00 (130) and 03:15 (132); now is 08:00. By hand:
 * 64 kWh, newest 132 x 2 = 264 kWh, completeness 7 / 32, gaps 01:00-03:00 and 03:15-08:00 (6.75 h).
 * A live reading 140 at 07:45: + (140 - 132) x 2 = 16 kWh -> 80 kWh, newest 280 kWh, 8 / 32 = 25.0 %,
 * gaps 01:00-03:00 and 03:15-07:45 (6.5 h; 07:45-08:00 is one interval, not a gap).
 */
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { testConfig } from '../helpers/config';
import { authSection, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPages, type WatchedPage } from '../helpers/browser';

const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const text = async (w: WatchedPage, selector: string): Promise<string> =>
  w.page.$eval(selector, (el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim());
/** Each breadcrumb level with whether it is a link: "a:辖区总览", "current:e-main". */
const crumbs = async (w: WatchedPage): Promise<string[]> =>
  w.page.$$eval('nav.breadcrumb li', (items) =>
    items.map(
      (li) => `${li.querySelector('a') ? 'a' : li.querySelector('[aria-current="page"]') ? 'current' : '?'}:${(li as HTMLElement).innerText.trim()}`,
    ),
  );
const notReloaded = (w: WatchedPage) => w.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded);
const markWindow = (w: WatchedPage) =>
  w.page.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

async function signIn(w: WatchedPage, baseUrl: string, token: string): Promise<void> {
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

/** One gateway message as alu01's gateway would send it (its MQTT user). */
async function publish(url: string, payload: unknown): Promise<void> {
  const gw = await mqtt.connectAsync(url, {
    username: 'alu01',
    password: MQTT_PASSWORDS.alu01,
    clientId: `gw-drill-${Math.random()}`,
    reconnectPeriod: 0,
  });
  await gw.publishAsync('energy/alu01', JSON.stringify(payload), { qos: 1 });
  await gw.endAsync();
}

maybe('dashboard drill-down path and live drill-down pages in Chromium', () => {
  let svc: RunningApp;
  let browser: Browser;
  const open = watchedPages(
    () => browser,
    () => svc.baseUrl,
  );

  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }), {}, { now: () => NOW });
    await svc.app.rules.stop();
    const readings: [string, number][] = [
      ['00:00', 100],
      ['00:15', 105],
      ['00:30', 110],
      ['00:45', 115],
      ['01:00', 120],
      ['03:00', 130],
      ['03:15', 132],
    ];
    for (const [hhmm, value] of readings) {
      const ts = new Date(`2026-11-28T${hhmm}:00+08:00`).toISOString();
      await svc.app.pipeline.accept({ topic: 'energy/alu01/e-main', payload: JSON.stringify({ ts, value }), receivedAt: NOW });
    }
    await svc.settle();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('walks district -> industry -> enterprise -> meter and back up by the breadcrumb (zh-CN, 1440 px)', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.click('#enterprise-table a[href="#/industry/3216"]');
    await w.page.waitForSelector('#industry-table');
    expect(await crumbs(w)).toEqual(['a:辖区总览', 'current:3216 铝冶炼']);
    await w.page.click('#industry-table a[href="#/enterprise/alu01"]');
    await w.page.waitForSelector('#meter-table');
    expect(await crumbs(w)).toEqual(['a:辖区总览', 'a:3216 铝冶炼', 'current:测试铝业']);
    await w.page.click('#meter-table a[href="#/enterprise/alu01/meter/e-main"]');
    await w.page.waitForSelector('#chart-meter canvas');
    expect(await crumbs(w)).toEqual(['a:辖区总览', 'a:3216 铝冶炼', 'a:测试铝业', 'current:e-main']);
    await w.screenshot('dashboard-meter-breadcrumb-zh-1440');
    // Back up, one level at a time, by the breadcrumb's links.
    await w.page.click('nav.breadcrumb a[href="#/enterprise/alu01"]');
    await w.page.waitForSelector('#meter-table');
    await w.page.click('nav.breadcrumb a[href="#/industry/3216"]');
    await w.page.waitForSelector('#industry-table');
    expect(await text(w, '#industry-table tbody')).toContain('测试铝业');
    await w.page.click('nav.breadcrumb a[href="#/"]');
    await w.page.waitForSelector('#enterprise-table');
    expect(await w.page.evaluate(() => location.hash)).toBe('#/');
  });

  it('shows the same path in English, and at 768 px', async () => {
    // Walked at 1440 px: at 768 px the overview hides its industry column (priority columns).
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.auditor);
    await w.page.click('#lang-switch');
    await w.page.waitForSelector('#enterprise-table a[href="#/industry/3216"]');
    await w.page.click('#enterprise-table a[href="#/industry/3216"]');
    await w.page.waitForSelector('#industry-table');
    expect(await crumbs(w)).toEqual(['a:District overview', 'current:3216 Aluminium smelting']);
    await w.page.click('#industry-table a[href="#/enterprise/alu01"]');
    await w.page.waitForSelector('#meter-table');
    await w.page.click('#meter-table a[href="#/enterprise/alu01/meter/e-main"]');
    await w.page.waitForSelector('#chart-meter canvas');
    expect(await crumbs(w)).toEqual(['a:District overview', 'a:3216 Aluminium smelting', 'a:测试铝业', 'current:e-main']);
    expect(await w.page.getAttribute('nav.breadcrumb', 'aria-label')).toBe('Location');
    await w.screenshot('dashboard-meter-breadcrumb-en-1440');
    await w.page.setViewportSize({ width: 768, height: 1024 });
    // The path wraps instead of widening the tablet's page (once the charts have followed the resize:
    // they redraw on the window's resize event, later on a loaded machine).
    await w.page.waitForFunction(() => document.documentElement.scrollWidth <= 768, undefined, { timeout: 15_000 });
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await w.screenshot('dashboard-meter-breadcrumb-en-768');
  });

  it('gives an enterprise manager a path without the district and industry they cannot open', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.alu01);
    await w.page.waitForSelector('#meter-table');
    expect(await crumbs(w)).toEqual(['current:测试铝业']);
    await w.page.click('#meter-table a[href="#/enterprise/alu01/meter/e-main"]');
    await w.page.waitForSelector('#chart-meter canvas');
    expect(await crumbs(w)).toEqual(['a:测试铝业', 'current:e-main']);
    expect(await w.page.$$('nav.breadcrumb a[href="#/"], nav.breadcrumb a[href^="#/industry/"]')).toHaveLength(0);
    // The industry page is the district's view: the manager lands on their enterprise instead.
    await w.page.goto(`${svc.baseUrl}/#/industry/3216`);
    await w.page.waitForFunction(() => location.hash === '#/enterprise/alu01');
    await w.page.waitForSelector('#meter-table');
    expect(await w.page.$('#industry-table')).toBeNull();
  });

  it('follows readings published over MQTT on the industry page and the meter page without a reload', async () => {
    const w = await open({ width: 1440, height: 900 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/industry/3216`);
    await w.page.waitForSelector('#industry-table');
    await w.page.waitForSelector('#live-state.on');
    const monthCell = '#industry-table tbody td[data-key="month"]';
    const before = await text(w, monthCell);
    await markWindow(w);
    // 1,000 m3 of natural gas at 07:45: more than a tenth of a tce, so the month column moves.
    await publish(svc.mqttUrl, [{ meter: 'gas', ts: '2026-11-28T07:45:00+08:00', value: 1000 }]);
    await w.page.waitForFunction(([sel, old]) => document.querySelector(sel!)?.textContent !== old, [monthCell, before] as const, {
      timeout: 15_000,
    });
    const overview = (await svc.get('/api/district/overview', TOKENS.officer)).body as { enterprises: { id: string; monthTce: number }[] };
    const monthTce = overview.enterprises.find((e) => e.id === 'alu01')!.monthTce;
    expect(await text(w, monthCell)).toBe(monthTce.toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
    expect(await notReloaded(w)).toBe(true);

    // The meter page: the newest reading, the period's total and the open hour move; so do completeness and gaps.
    await w.page.click('nav.breadcrumb a[href="#/"]');
    await w.page.waitForSelector('#enterprise-table');
    await w.page.goto(`${svc.baseUrl}/#/enterprise/alu01/meter/e-main/day/2026-11-28`);
    await w.page.waitForSelector('#chart-meter canvas');
    await markWindow(w);
    await publish(svc.mqttUrl, [{ meter: 'e-main', ts: '2026-11-28T07:45:00+08:00', value: 140 }]);
    await w.page.waitForFunction(() => document.querySelector('#meter-cards .card .value')?.textContent === '280.0 kWh', undefined, {
      timeout: 15_000,
    });
    const cards = await w.page.$$eval('#meter-cards .card', (els) => els.map((c) => (c as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    expect(cards).toEqual([
      '最新读数 280.0 kWh 表码 140.0 × 倍率 2 · 2026-11-28 07:45',
      '本期用量 80.00 kWh 电力',
      '完整率 25.0 % 8 / 应报 32 条',
      '缺数时段 2 共 6.5 小时',
    ]);
    expect(await text(w, '#meter-gaps tbody')).toBe('2026-11-28 01:00 2026-11-28 03:00 2.00 小时 2026-11-28 03:15 2026-11-28 07:45 4.50 小时');
    // The chart is drawn again from the new answer: the 07:00 hour holds 45 of the 270 minutes' 16 kWh.
    const hour07 = await w.page.evaluate(() => {
      type Option = { series: { data: { value: number | string }[] }[] };
      const echarts = (window as unknown as { echarts: { getInstanceByDom(el: HTMLElement): { getOption(): Option } } }).echarts;
      const option = echarts.getInstanceByDom(document.getElementById('chart-meter')!).getOption();
      return option.series[0]!.data[7]!.value;
    });
    expect(hour07).toBeCloseTo((16 * 45) / 270, 6);
    expect(await notReloaded(w)).toBe(true);
  });
});
