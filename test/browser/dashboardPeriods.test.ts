/// <reference lib="dom" />
/**
 * Period selection (issue 21) in a real Chromium against the whole service on its embedded defaults:
 * the district overview and the enterprise page by month, year and custom range, each against the
 * previous period (环比) and the same period a year earlier (同比), kept in the URL hash.
 *
 * Now: Monday 2026-12-07 12:00 (+08:00). Hourly values written to the store; electricity
 * 0.1229 kgce/kWh (当量值), natural gas 1.2143 kgce/m3:
 *   alu01 (3216): 2026-12-03 10,000 kWh = 1.229 tce; 2026-11-05 4,000 kWh = 0.4916; 2026-11-20 99,999 kWh
 *     = 12.2898771; 2025-12-02 20,000 kWh = 2.458; 2025-12-10 7,000 kWh = 0.8603.
 *   cem01 (3011): 2026-12-04 100 m3 gas = 0.12143 tce; 2025-12-05 2,000 kWh = 0.2458.
 *
 * December 2026 (the default, to today: 1-7 December), previous 1-7 November, a year earlier 1-7 December 2025:
 *   total 1.229 + 0.12143 = 1.35043 (1.350); previous 0.4916 (0.492); a year earlier 2.458 + 0.2458 = 2.7038 (2.704).
 *   MoM +0.85883 (+0.859), 0.85883 / 0.4916 = +174.7 %; YoY −1.35337 (−1.353), −1.35337 / 2.7038 = −50.05 % (−50.1 %).
 *   electricity 1.229 / 0.492 / +0.737 / +150.0 % / 2.704 / −1.475 / −54.5 % (12,000 / 22,000);
 *   natural gas 0.121 / 0 / +0.121 / — (against 0);
 *   industry 3011: 0.121 against 0 and 0.2458: −0.12437 (−0.124), −50.6 %.
 * Year 2026 (to 7 December; 341 days): 113,999 kWh = 14.0104771 + 0.12143 = 14.1319071 (14.132); previous and
 *   a year earlier 1 January - 7 December 2025: 2.7038 (2.704); +11.4281071 (+11.428), ×4.2267 = +422.7 %.
 * Custom 2026-11-15 – 2026-12-04 (20 days): 109,999 kWh = 13.5188771 + 0.12143 = 13.6403071 (13.640);
 *   previous 2026-10-26 – 2026-11-14: 0.4916; a year earlier 2025-11-15 – 2025-12-04: 2.458 (the 2,000 kWh of 5 December are out).
 * Enterprise alu01, December: 1.229; previous 0.4916: +0.737, +150.0 %; a year earlier 2.458: −1.229, −50.0 %.
 */
import type { Browser } from 'playwright-core';
import { DateTime } from 'luxon';
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';

const ZONE = 'Asia/Shanghai';
const NOW = Date.parse('2026-12-07T12:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '重庆示例铝业有限公司',
      industry: '3216',
      quotas: [{ year: 2026, totalTce: 50 }],
      meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 }],
    },
    {
      id: 'cem01',
      name: '测试水泥',
      industry: '3011',
      quotas: [{ year: 2026, totalTce: 10 }],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
        { id: 'gas', carrier: 'natural_gas', unit: 'm3', kind: 'counter', intervalSeconds: 900 },
      ],
    },
  ],
});

const hour = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();
const kwh = (enterprise: string, iso: string, quantity: number): HourlyConsumption => ({
  enterprise,
  meter: 'e-main',
  carrier: 'electricity',
  unit: 'kWh',
  hour: hour(iso),
  quantity,
});
const HOURS: HourlyConsumption[] = [
  kwh('alu01', '2026-12-03T10:00', 10_000),
  kwh('alu01', '2026-11-05T10:00', 4_000),
  kwh('alu01', '2026-11-20T10:00', 99_999),
  kwh('alu01', '2025-12-02T10:00', 20_000),
  kwh('alu01', '2025-12-10T10:00', 7_000),
  kwh('cem01', '2025-12-05T08:00', 2_000),
  { enterprise: 'cem01', meter: 'gas', carrier: 'natural_gas', unit: 'm3', hour: hour('2026-12-04T08:00'), quantity: 100 },
];

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const row = async (w: WatchedPage, key: string): Promise<string[]> =>
  w.page.$$eval(`#period-table tr[data-row="${key}"] > *`, (cells) => cells.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()));
const hashOf = (w: WatchedPage) => w.page.evaluate(() => location.hash);

/** Waits for the panel showing `current` as its period text. */
async function panelFor(w: WatchedPage, current: string): Promise<void> {
  await w.page.waitForFunction((c) => (document.querySelector('#period-ranges')?.textContent ?? '').includes(c), current);
}

maybe('dashboard periods in Chromium', () => {
  let svc: RunningApp;
  let browser: Browser;
  const pages: WatchedPage[] = [];
  const open = async () => {
    const w = await watchedPage(browser);
    pages.push(w);
    await w.page.goto(`${svc.baseUrl}/`);
    await w.page.fill('#token', TOKENS.officer);
    await w.page.press('#token', 'Enter');
    await w.page.waitForSelector('#sign-out');
    return w;
  };

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => NOW });
    await svc.app.store.write({ readings: [], hourly: HOURS });
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

  it('the overview compares the month so far, then a year and a custom range chosen in the form, kept in the hash', async () => {
    const w = await open();
    await w.page.goto(`${svc.baseUrl}/#/`);
    await panelFor(w, '本期 2026-12-01 – 2026-12-07');
    const ranges = squash(await w.page.textContent('#period-ranges'));
    expect(ranges).toContain('上期 2026-11-01 – 2026-11-07');
    expect(ranges).toContain('上年同期 2025-12-01 – 2025-12-07');
    expect(ranges).toContain('本期未结束');
    expect(await row(w, 'total')).toEqual(['综合能耗（双控口径）', '1.350', '0.492', '+0.859', '+174.7 %', '2.704', '−1.353', '−50.1 %']);
    expect(await row(w, 'carrier:electricity')).toEqual(['电力', '1.229', '0.492', '+0.737', '+150.0 %', '2.704', '−1.475', '−54.5 %']);
    expect(await row(w, 'carrier:natural_gas')).toEqual(['天然气', '0.121', '0', '+0.121', '—', '0', '+0.121', '—']);
    const cement = await row(w, 'industry:3011');
    expect(cement.slice(1)).toEqual(['0.121', '0', '+0.121', '—', '0.246', '−0.124', '−50.6 %']);
    await w.page.setViewportSize({ width: 1440, height: 900 });
    await w.screenshot('periods-overview-1440');

    // A year, chosen in the form.
    await w.page.selectOption('#period-kind', 'year');
    await w.page.fill('#period-date', '2026');
    await w.page.click('#period-apply');
    await panelFor(w, '本期 2026-01-01 – 2026-12-07');
    expect(await hashOf(w)).toBe('#/?period=year&date=2026');
    expect(await row(w, 'total')).toEqual(['综合能耗（双控口径）', '14.132', '2.704', '+11.428', '+422.7 %', '2.704', '+11.428', '+422.7 %']);

    // A custom range; its previous range is the 20 days before.
    await w.page.selectOption('#period-kind', 'custom');
    await w.page.fill('#period-from', '2026-11-15');
    await w.page.fill('#period-to', '2026-12-04');
    await w.page.click('#period-apply');
    await panelFor(w, '本期 2026-11-15 – 2026-12-04');
    expect(await hashOf(w)).toBe('#/?period=custom&from=2026-11-15&to=2026-12-04');
    expect(squash(await w.page.textContent('#period-ranges'))).toContain('上期 2026-10-26 – 2026-11-14；上年同期 2025-11-15 – 2025-12-04');
    const custom = await row(w, 'total');
    expect(custom.slice(1, 3)).toEqual(['13.640', '0.492']);
    expect(custom[5]).toBe('2.458');

    // The shared link opens the same view in a fresh page, and in English.
    const link = `${svc.baseUrl}/${await hashOf(w)}`;
    const other = await open();
    await other.page.goto(link);
    await panelFor(other, '2026-11-15 – 2026-12-04');
    expect(await other.page.inputValue('#period-kind')).toBe('custom');
    expect(await other.page.inputValue('#period-from')).toBe('2026-11-15');
    expect(await other.page.inputValue('#period-to')).toBe('2026-12-04');
    expect((await row(other, 'total')).slice(1, 3)).toEqual(['13.640', '0.492']);
    await other.page.click('#lang-switch');
    await other.page.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#period-ranges') !== null);
    await panelFor(other, 'This period 2026-11-15 – 2026-12-04; previous 2026-10-26 – 2026-11-14; last year 2025-11-15 – 2025-12-04');
    const heads = await other.page.$$eval('#period-table thead th', (ths) => ths.map((th) => (th.textContent ?? '').trim()));
    expect(heads).toEqual([
      'Item',
      'This period',
      'Previous period',
      'Period on period change',
      'Period on period',
      'Same period last year',
      'Year on year change',
      'Year on year',
    ]);
    expect((await row(other, 'total'))[0]).toBe('Total energy (dual-control basis)');
    expect(await other.page.textContent('#period-kind option[value="custom"]')).toBe('Custom');
    await other.page.click('#lang-switch');
    await other.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('the enterprise page compares a month by carrier, and the earlier step moves the hash', async () => {
    const w = await open();
    await w.page.goto(`${svc.baseUrl}/#/enterprise/alu01?period=month&date=2026-12`);
    await panelFor(w, '本期 2026-12-01 – 2026-12-07');
    expect(await row(w, 'total')).toEqual(['综合能耗（双控口径）', '1.229', '0.492', '+0.737', '+150.0 %', '2.458', '−1.229', '−50.0 %']);
    expect(await row(w, 'carrier:electricity')).toEqual(['电力', '1.229', '0.492', '+0.737', '+150.0 %', '2.458', '−1.229', '−50.0 %']);
    expect(await w.page.isDisabled('#period-later')).toBe(true);
    await w.page.setViewportSize({ width: 768, height: 1024 });
    await w.screenshot('periods-enterprise-768');

    // November whole: 103,999 kWh = 12.7814771 tce against all of October (0) and November 2025 (0).
    await w.page.click('#period-earlier');
    await panelFor(w, '本期 2026-11-01 – 2026-11-30');
    expect(await hashOf(w)).toBe('#/enterprise/alu01?period=month&date=2026-11');
    expect(await row(w, 'total')).toEqual(['综合能耗（双控口径）', '12.781', '0', '+12.781', '—', '0', '+12.781', '—']);
    expect(squash(await w.page.textContent('#period-ranges'))).not.toContain('本期未结束');
  });
});
