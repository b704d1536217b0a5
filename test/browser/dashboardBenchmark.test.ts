/// <reference lib="dom" />
/**
 * The dashboard's benchmark and diagnosis views in a real Chromium against the whole service on its
 * embedded defaults (SQLite store): hourly consumption written to the store, monthly statistics
 * entered over HTTP; the district benchmark page, the enterprise benchmark card and the diagnosis
 * panel with a meter drill-down, in zh-CN and English and at 768 px. Every figure by hand below.
 *
 * At = 2026-04-01 10:00 (+08:00). Year to date = 1 January to 1 April (90 days, 90 / 365 of the
 * year); rolling 12 = April 2025 to March 2026. Factors: electricity 0.1 kgce/kWh and 0.5 kg CO2/kWh,
 * raw coal 500 kgce/t and 2,000 kg CO2/t. cement_clinker levels 100 / 117 kgce/t, deadline 2025-12-31.
 *
 * cem01 (boundary e-kiln + coal-kiln), every day from 2025-12-01 to 2026-03-31 (121 days):
 *   e-kiln 00-08 at 600 kW, 08-18 at 1,100 kW, 18-24 at 700 kW = 4,800 + 11,000 + 4,200 = 20,000 kWh;
 *   + 10,000 kWh at 12:00 on Wednesday 2026-03-11 (the anomaly); coal-kiln 22.8 t a day in December,
 *   15.6 t from January; clinker 100 t a day. A normal day: 2,000 + 7,800 = 9,800 kgce, 98 kgce/t.
 *   YTD: 90 x 9,800 + 1,000 = 883,000 kgce / 9,000 t = 98.11 kgce/t, at benchmark, savings 0.
 *   Rolling 12: 31 x (2,000 + 11,400) = 415,400 + 883,000 = 1,298,400 kgce / 12,100 t = 107.3 kgce/t,
 *   compliant; savings (1,298,400 - 1,210,000) / 1,000 = 88.40 tce. CO2 per tce is the enterprise's
 *   (contract 10; sub-meters out, scope 2 less green certificates): 2,430,000 kWh x 0.5 = 1,215 t, coal
 *   (706.8 + 1,404) t x 2 = 4,221.6 t, less 500,000 kWh of certificates x 0.5 = 250 t: 5,186.6 t /
 *   1,298.4 tce = 3.994609 t/tce; 88.4 x that = 353.1 t CO2.
 *   Green certificates 500,000 kWh in February: non-fossil share YTD 500,000 / 1,810,000 = 27.6 %,
 *   rolling 500,000 / 2,430,000 = 20.6 %. Annual energy: rolling 1,298.4 tce over 4 months x 12 / 4 =
 *   3,895 tce; YTD 883 tce x 365 / 90 = 3,581 tce (the rule's line is set to 3,000 tce).
 * cem02 (default boundary e-main + coal), 2026-01-01 to 2026-03-31: 10,000 kWh + 24 t coal + 100 t a
 *   day = 1,000 + 12,000 = 13,000 kgce; March's clinker entered as 3,000 t (metered 3,100): quantity
 *   3,100 + 2,800 + 3,000 = 8,900 t; 1,170,000 / 8,900 = 131.5 kgce/t, below baseline, overdue (critical);
 *   savings (1,170,000 - 890,000) / 1,000 = 280.0 tce; CO2 (450 + 4,320) t / 1,170 tce x 280 = 1,142 t.
 * District, rolling 12: share at benchmark 0 / 21,000 t = 0.0 %; savings 88.4 + 280 = 368.4 tce,
 *   353.12 + 1,141.54 = 1,495 t CO2; cem01 misses one criterion (compliant, not at benchmark).
 *   Year to date: 9,000 / 17,900 t = 50.3 % at benchmark; 280.0 tce; cem01 a candidate.
 *
 * Diagnosis of cem01, March 2026 (e-kiln is its only electricity meter; e-new is a sub-meter):
 *   744 hours: 248 x 600, 310 x 1,100 (one 11,100), 186 x 700 kW; P5: h = 743 x 0.05 = 37.15 -> 600.0 kW;
 *   mean 630,000 / 744 = 846.8 kW; ratio 600 x 744 / 630,000 = 70.9 %.
 *   Off-hours (Mon-Fri 08-18; 22 weekdays): worked 22 x 11,000 + 10,000 = 252,000; off 378,000 / 630,000 = 60.0 %.
 *   Time of use (peak 11-17, 20-22; flat 08-11, 17-20, 22-24; valley 00-08): a day 8,000 / 7,200 / 4,800;
 *   month 248,000 + 10,000 = 258,000 (41.0 %), 223,200 (35.4 %), 148,800 (23.6 %).
 *   11 March: 10.8 tce against a median of 9.8 (every history day equal): above, excess +1.00 tce.
 *   Clinker by day: 98 kgce/t, 108 on day 11 (x = 10); slope = (10 x (10 - 15)) / 2,480 = -0.0202 per day;
 *   change -0.0202 x 30 / (3,048 / 31) = -0.6 %.
 *   Meter e-kiln: 30,000 kWh against 20,000, excess 10,000 x 0.1 / 1,000 = +1.00 tce.
 *   Meter e-new (100 kW from 16 March): 1-15 March no data, 16-31 too little history (31 March: 2 days).
 */
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPages, type WatchedPage } from '../helpers/browser';

const ZONE = 'Asia/Shanghai';
const AT = Date.parse('2026-04-01T10:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const config = testConfig({
  auth: authSection(),
  coefficients: { electricity: 0.1, raw_coal: 500 },
  emissionFactors: { electricity: 0.5, raw_coal: 2000 },
  rules: { leaders: { minAnnualTce: 3000, minNonFossilShare: 0.2 } },
  enterprises: [
    // The auth section's enterprise token names alu01; it has no benchmarked product.
    { id: 'alu01', name: '测试铝业', industry: '3216', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
    {
      id: 'cem01',
      name: '标杆水泥',
      industry: '3011',
      products: [{ product: 'cement_clinker', meters: ['e-kiln', 'coal-kiln'] }],
      meters: [
        { id: 'e-kiln', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'coal-kiln', carrier: 'raw_coal', unit: 't', kind: 'counter' },
        { id: 'e-new', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
        { id: 'out', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
      ],
    },
    {
      id: 'cem02',
      name: '落后水泥',
      industry: '3011',
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'coal', carrier: 'raw_coal', unit: 't', kind: 'counter' },
        { id: 'out', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
      ],
    },
  ],
});

function hours(): HourlyConsumption[] {
  const out: HourlyConsumption[] = [];
  const add = (enterprise: string, meter: string, carrier: string, unit: string, hour: number, quantity: number) =>
    out.push({ enterprise, meter, carrier, unit, hour, quantity });
  for (let day = DateTime.fromISO('2025-12-01T00:00', { zone: ZONE }); day.year < 2026 || day.month < 4; day = day.plus({ days: 1 })) {
    const at = (h: number) => day.plus({ hours: h }).toMillis();
    for (let h = 0; h < 24; h++) {
      const kw = h < 8 ? 600 : h < 18 ? 1100 : 700;
      add('cem01', 'e-kiln', 'electricity', 'kWh', at(h), kw + (day.toISODate() === '2026-03-11' && h === 12 ? 10_000 : 0));
      if (day.toISODate()! >= '2026-03-16') add('cem01', 'e-new', 'electricity', 'kWh', at(h), 100);
    }
    add('cem01', 'coal-kiln', 'raw_coal', 't', at(0), day.year === 2025 ? 22.8 : 15.6);
    add('cem01', 'out', 'product', 't', at(0), 100);
    if (day.year === 2026) {
      add('cem02', 'e-main', 'electricity', 'kWh', at(10), 10_000);
      add('cem02', 'coal', 'raw_coal', 't', at(0), 24);
      add('cem02', 'out', 'product', 't', at(0), 100);
    }
  }
  return out;
}

async function feed(svc: RunningApp): Promise<void> {
  await svc.app.store.write({ readings: [], hourly: hours() });
  const months: [string, string, unknown][] = [
    ['cem01', '2026-02', { greenCertificatesKwh: 500_000 }],
    ['cem02', '2026-03', { products: { cement_clinker: { quantity: 3000, unit: 't' } } }],
  ];
  for (const [id, month, body] of months) {
    const res = await svc.put(`/api/enterprises/${id}/monthly/${month}`, body);
    if (res.status !== 200) throw new Error(`monthly ${id} ${month}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

const text = async (w: WatchedPage, selector: string): Promise<string> => ((await w.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
/** Table rows as their cells' texts joined by " | ". */
const rows = async (w: WatchedPage, selector: string): Promise<string[]> =>
  w.page.$$eval(selector, (trs) =>
    trs.map((r) =>
      Array.from(r.children)
        .map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())
        .join(' | '),
    ),
  );

async function signIn(w: WatchedPage, baseUrl: string, token: string): Promise<void> {
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

async function toEnglish(w: WatchedPage): Promise<void> {
  await w.page.click('#lang-switch');
  await w.page.waitForFunction(() => document.documentElement.lang === 'en');
}

maybe('dashboard benchmark and diagnosis in Chromium', () => {
  let svc: RunningApp;
  let browser: Browser;
  const open = watchedPages(
    () => browser,
    () => svc.baseUrl,
  );

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
    await feed(svc);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it('the district benchmark page: levels, tiers, plants below baseline, savings and leaders, both periods', async () => {
    const w = await open();
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.click('nav a[href="#/benchmark"]');
    await w.page.waitForSelector('#benchmark-product-table');
    expect(await w.page.getAttribute('nav a[href="#/benchmark"]', 'aria-current')).toBe('page');
    expect(await text(w, 'nav')).toContain('能效对标');

    const clinker = (await rows(w, '#benchmark-product-table tbody tr'))[0]!;
    expect(clinker).toContain('水泥熟料');
    expect(clinker).toContain('cement_clinker');
    expect(clinker).toContain('100 / 117 kgce/t');
    expect(clinker).toContain('2025-12-31');
    expect(clinker).toContain('0.0 %');
    expect(clinker).toContain('368.4'); // tce
    expect(clinker).toContain('1,495'); // t CO2
    expect(await w.page.$$eval('#benchmark-product-table meter', (m) => m.map((x) => (x as HTMLMeterElement).value))).toEqual([0]);
    const savings = await text(w, '#benchmark-savings');
    expect(savings).toContain('368.4 tce');
    expect(savings).toContain('1,495 t CO₂');
    expect(await w.page.$('#benchmark-co2-partial')).toBeNull();

    const below = await rows(w, '#benchmark-below-table tbody tr');
    expect(below).toHaveLength(1);
    expect(below[0]).toContain('落后水泥');
    expect(below[0]).toContain('131.5 kgce/t');
    expect(below[0]).toContain('| 117 kgce/t |');
    expect(below[0]).toContain('8,900 t');
    expect(below[0]).toContain('280.0 tce');
    expect(below[0]).toContain('2025-12-31 已逾期');
    expect(below[0]).toContain('严重');
    expect(await w.page.getAttribute('#benchmark-below-table a', 'href')).toBe('#/enterprise/cem02');

    expect(await text(w, '#leader-rules')).toContain('年综合能耗 ≥ 3,000 tce');
    expect(await text(w, '#leader-rules')).toContain('非化石电力占比 ≥ 20 %');
    const leaders = await rows(w, '#leader-table tbody tr');
    const cem01 = leaders.find((r) => r.includes('标杆水泥'))!;
    expect(cem01).toContain('✓ 3,895 tce');
    expect(cem01).toContain('✗ 不满足');
    expect(cem01).toContain('达到基准');
    expect(cem01).toContain('✓ 20.6 %');
    expect(cem01).toContain('✗ 未入选');
    const cem02 = leaders.find((r) => r.includes('落后水泥'))!;
    expect(cem02).toContain('✓ 4,680 tce'); // 1,170 tce over 3 months x 4
    expect(cem02).toContain('✗ 0.0 %');
    expect(await text(w, '#benchmark-leaders')).toContain('暂无候选企业');
    await w.screenshot('dashboard-benchmark-zh');

    // The period switch is in the URL.
    await w.page.selectOption('#benchmark-period', 'ytd');
    await w.page.waitForFunction(
      () => location.hash === '#/benchmark/ytd' && document.querySelector('#benchmark-leaders .value')?.textContent === '1',
    );
    const ytd = (await rows(w, '#benchmark-product-table tbody tr'))[0]!;
    expect(ytd).toContain('50.3 %');
    expect(await text(w, '#benchmark-savings')).toContain('280.0 tce');
    expect(await text(w, '#benchmark-leaders')).toContain('标杆水泥');
    const ytdLeader = (await rows(w, '#leader-table tbody tr')).find((r) => r.includes('标杆水泥'))!;
    expect(ytdLeader).toContain('✓ 3,581 tce');
    expect(ytdLeader).toContain('✓ 27.6 %');
    expect(ytdLeader).toContain('✓ 候选');

    await toEnglish(w);
    await w.page.waitForFunction(() => document.querySelector('.page-head h1')?.textContent === 'District benchmark');
    expect(await text(w, '#benchmark-below-table')).toContain('2025-12-31 overdue');
    expect(await text(w, '#benchmark-product-table')).toContain('Cement clinker');
    expect(await text(w, '#leader-rules')).toContain('Annual energy ≥ 3,000 tce');
    await w.screenshot('dashboard-benchmark-en');
    await w.page.click('#lang-switch');
    await w.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('the enterprise benchmark card: both periods side by side, boundary, entered months', async () => {
    const w = await open();
    await signIn(w, svc.baseUrl, TOKENS.auditor);
    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem01`);
    await w.page.waitForSelector('#benchmark-card');
    await w.page.waitForFunction(() => document.querySelectorAll('#chart-benchmark-cement_clinker canvas').length > 0);
    const r = async (id: string, key: string) => (await rows(w, `#benchmark-${id} tr[data-row="${key}"]`))[0];
    expect(await r('cement_clinker', 'period')).toBe('统计期 | 2026-01-01 – 2026-04-01 | 2025-04-01 – 2026-04-01');
    expect(await r('cement_clinker', 'sec')).toBe('单位产品能耗 | 98.11 kgce/t | 107.3 kgce/t');
    expect(await r('cement_clinker', 'tier')).toBe('档次 | 达到标杆 | 达到基准');
    expect(await r('cement_clinker', 'quantity')).toBe('产量 | 9,000 t | 12,100 t');
    expect(await r('cement_clinker', 'savings')).toBe('节能潜力 | 0 tce | 88.40 tce');
    expect(await r('cement_clinker', 'co2')).toContain('353.1 t CO₂');
    expect(await r('cement_clinker', 'months')).toBe('月份 | 2026-01 – 2026-03 | 2025-12 – 2026-03');
    const card = await text(w, '#benchmark-card');
    expect(card).toContain('标杆水平 100 kgce/t');
    expect(card).toContain('基准水平 117 kgce/t');
    expect(card).toContain('改造期限 2025-12-31');
    expect(card).toContain('边界计量点 (配置的边界): e-kiln, coal-kiln');
    await w.screenshot('dashboard-enterprise-benchmark-zh');

    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem02`);
    await w.page.waitForFunction(() => document.querySelector('#benchmark-card')?.textContent?.includes('默认边界'));
    expect(await r('cement_clinker', 'entered')).toBe('产量为填报值的月份 | 2026-03 | 2026-03');
    expect(await r('cement_clinker', 'tier')).toBe('档次 | 低于基准 | 低于基准');
    expect(await r('cement_clinker', 'savings')).toBe('节能潜力 | 280.0 tce | 280.0 tce');
    expect(await text(w, '#benchmark-card')).toContain('e-main, coal');

    await toEnglish(w);
    await w.page.waitForFunction(() => document.querySelector('#benchmark-card h2')?.textContent?.startsWith('Benchmark and baseline levels'));
    expect(await r('cement_clinker', 'tier')).toBe('Tiers | below baseline | below baseline');
    expect(await text(w, '#benchmark-card')).toContain('Boundary meters (default boundary): e-main, coal');
    await w.page.click('#lang-switch');
    await w.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('the diagnosis panel with its definitions, then a meter drill-down and another month, all in the URL', async () => {
    const w = await open();
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem01`);
    await w.page.waitForSelector('#diagnosis #diag-base');
    await w.page.waitForFunction(
      () => document.querySelectorAll('#chart-hour-of-day canvas, #chart-daily-median canvas, #chart-tou canvas').length >= 3,
    );
    // By default the last complete month.
    expect(await w.page.inputValue('#diagnosis-month')).toBe('2026-03');
    const base = await text(w, '#diag-base');
    expect(base).toContain('600.0 kW');
    expect(base).toContain('846.8 kW');
    expect(base).toContain('70.9 %');
    expect(base).toContain('744 / 744');
    expect(base).toContain('第 5 百分位数'); // the answer's definition, zh-CN
    const off = await text(w, '#diag-off');
    expect(off).toContain('60.0 %');
    expect(off).toContain('378,000 kWh / 630,000 kWh');
    expect(off).toContain('周一 08:00-18:00');
    expect(off).toContain('周六 休息');
    expect(await text(w, '#diag-tou')).toContain('41.0 % / 35.4 % / 23.6 %');
    expect(await text(w, '#tou-schedule')).toContain('高峰 11:00-17:00, 20:00-22:00');
    expect(await text(w, '#tou-schedule')).toContain('[R]');
    const anomalies = await rows(w, '#anomaly-table tbody tr');
    expect(anomalies).toEqual(['2026-03-11 周三 | ▲ 偏高 | 10.80 | 9.80 | — | +1.00']);
    expect(await text(w, '#diag-anomalies')).toContain('已判定 31 天');
    const clinker = await text(w, '.diag-product[data-product="cement_clinker"]');
    expect(clinker).toContain('−0.0202 kgce/t/日');
    expect(clinker).toContain('-0.6 %');
    expect(await w.page.$$('#chart-product-day-cement_clinker canvas')).not.toHaveLength(0);
    await w.screenshot('dashboard-diagnosis-zh');

    // Drill down into the kiln's meter: the panel reloads in place and the URL keeps the choice.
    await w.page.selectOption('#diagnosis-meter', 'e-kiln');
    await w.page.waitForFunction(() => document.querySelector('#diag-scope')?.textContent?.includes('e-kiln'));
    expect(await w.page.evaluate(() => location.hash)).toBe('#/enterprise/cem01/diagnosis/2026-03/e-kiln');
    expect(await rows(w, '#anomaly-table tbody tr')).toEqual(['2026-03-11 周三 | ▲ 偏高 | 30,000 | 20,000 | — | +1.00']);
    await w.page.waitForFunction(() => document.querySelectorAll('#chart-daily-median canvas').length > 0);

    // The sub-meter that started on 16 March: every day not judged, with its reason.
    await w.page.selectOption('#diagnosis-meter', 'e-new');
    await w.page.waitForFunction(() => document.querySelector('#diag-scope')?.textContent?.includes('e-new'));
    const notJudged = await text(w, '#not-judged');
    expect(notJudged).toContain('未判定的日子 (31)');
    expect(notJudged).toContain('2026-03-01: 无数据');
    expect(notJudged).toContain('2026-03-31: 同星期历史不足（2 天）');

    // Another month, opened from the URL directly.
    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem01/diagnosis/2026-02/e-kiln`);
    await w.page.reload();
    await w.page.waitForFunction(() => document.querySelector('#diag-scope')?.textContent?.includes('2026-02-01'));
    expect(await w.page.inputValue('#diagnosis-meter')).toBe('e-kiln');
    expect(await text(w, '#diag-anomalies')).toContain('本月没有异常日');

    await toEnglish(w);
    await w.page.waitForFunction(() => document.querySelector('#diagnosis h2')?.textContent === 'Energy-saving diagnosis');
    expect(await text(w, '#diag-base')).toContain('5th percentile');
    expect(await text(w, '#diag-off')).toContain('Sat closed');
    expect(await text(w, '#diag-anomalies')).toContain('No anomalous day this month');
    await w.screenshot('dashboard-diagnosis-en');
    await w.page.click('#lang-switch');
    await w.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('on a 768 px tablet the pages need no sideways scroll, and print keeps the figures', async () => {
    const w = await open({ width: 768, height: 1024 });
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/benchmark`);
    await w.page.waitForSelector('#leader-table');
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await w.screenshot('dashboard-benchmark-tablet');
    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem01`);
    await w.page.waitForSelector('#diagnosis #diag-base');
    await w.page.waitForFunction(() => document.querySelectorAll('#chart-daily-median canvas').length > 0);
    expect(await w.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
    await w.screenshot('dashboard-diagnosis-tablet');
    // Printed: the controls go, the figures stay.
    await w.page.emulateMedia({ media: 'print' });
    expect(await w.page.isVisible('#diagnosis-meter')).toBe(false);
    expect(await w.page.isVisible('#diagnosis-month')).toBe(false);
    expect(await w.page.isVisible('#anomaly-table')).toBe(true);
    expect(await w.page.isVisible('#benchmark-cement_clinker')).toBe(true);
    await w.screenshot('dashboard-diagnosis-print');
  });
});
