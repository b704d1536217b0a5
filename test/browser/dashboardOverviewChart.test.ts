/// <reference lib="dom" />
/**
 * The overview's month bars are the month in progress (issue 21 item 5: marked partial periods), in a
 * real Chromium against the whole service. The charts' options are read from ECharts itself
 * (getInstanceByDom(el).getOption()), so what is checked is what is drawn.
 *
 * At t = 2026-03-02 01:00 (+08:00), electricity 0.1 kgce/kWh: February 500,000 kWh = 50 tce, 1 March
 * 1,000,000 kWh = 100 tce. The month bars: 100 tce, hatched and named "本月 2026-03 · 进行中（未完）";
 * the year-to-date bars: 150 tce, plain.
 */
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser';

const AT = Date.parse('2026-03-02T01:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const meter = { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' } as const;
// The three enterprises the test tokens name; only alu01 has readings.
const config = testConfig({
  auth: authSection(),
  coefficients: { electricity: 0.1 },
  enterprises: [
    { id: 'alu01', name: '重庆涪陵示例铝业有限公司（示例）', industry: '3216', quotas: [{ year: 2026, totalTce: 5000 }], meters: [meter] },
    { id: 'cem01', name: '重庆涪陵示例水泥有限公司（示例）', industry: '3011', quotas: [{ year: 2026, totalTce: 5000 }], meters: [meter] },
    { id: 'pha01', name: '重庆涪陵示例制药有限公司（示例）', industry: '2710', quotas: [{ year: 2026, totalTce: 5000 }], meters: [meter] },
  ],
});
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

interface SeriesSeen {
  name: string;
  data: number[];
  decal: boolean;
  color: string | null;
}

/** The bar series of the chart in `selector`, as ECharts holds them. */
async function seriesOf(w: WatchedPage, selector: string): Promise<SeriesSeen[]> {
  return w.page.$eval(selector, (el) => {
    const instance = window.echarts.getInstanceByDom(el as HTMLElement);
    if (!instance) throw new Error('no chart drawn');
    const option = instance.getOption() as { series: { name: string; data: number[]; itemStyle?: { decal?: unknown; color?: string } }[] };
    return option.series.map((s) => ({ name: s.name, data: s.data, decal: !!s.itemStyle?.decal, color: s.itemStyle?.color ?? null }));
  });
}

maybe('the overview marks the month in progress on its month bars', () => {
  let svc: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
    const gw = await mqtt.connectAsync(svc.mqttUrl, {
      username: 'alu01',
      password: MQTT_PASSWORDS.alu01,
      clientId: `gw-overview-${Math.random()}`,
      reconnectPeriod: 0,
    });
    const readings = [
      { meter: 'e-main', ts: '2026-02-01T00:00:00+08:00', value: 0 },
      { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 500_000 },
      { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 1_500_000 },
    ];
    await gw.publishAsync('energy/alu01', JSON.stringify(readings), { qos: 1 });
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const s = (await svc.get('/api/enterprises/alu01/status')).body as { quota: { ytdTce: number } };
      if (s.quota.ytdTce !== 150) throw new Error(`not stored yet: ${JSON.stringify(s.quota)}`);
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  it.each([
    ['zh-CN', '本月 2026-03 · 进行中（未完）', '年累计'],
    ['en', 'This month 2026-03 · in progress (not complete)', 'Year to date'],
  ] as const)(
    '%s: the month series alone is hatched and named in progress, on both charts',
    async (lang, monthName, ytdName) => {
      const w = await watchedPage(browser, { width: 1440, height: 900 });
      await w.page.goto(`${svc.baseUrl}/`);
      await w.page.fill('#token', TOKENS.admin);
      await w.page.press('#token', 'Enter');
      await w.page.waitForSelector('#sign-out');
      await w.page.evaluate((l) => localStorage.setItem('energy-monitor.lang', l), lang);
      await w.page.reload();
      await w.page.waitForSelector('#enterprise-table');
      expect(await w.page.evaluate(() => document.documentElement.lang)).toBe(lang);
      await w.page.waitForFunction(() => document.querySelectorAll('#chart-carrier canvas, #chart-industry canvas').length >= 2);

      const carrier = await seriesOf(w, '#chart-carrier');
      expect(carrier.map((s) => [s.name, s.data, s.decal])).toEqual([
        [monthName, [100], true],
        [ytdName, [150], false],
      ]);
      // Pale, as the meter page's bar in progress, so that it does not read as a whole month.
      expect(carrier[0]!.color).toBe('#a9c3e6');
      expect(carrier[1]!.color).toBeNull();

      const industry = await seriesOf(w, '#chart-industry');
      // One bar per industry: alu01's 3216 holds the figures, the others are 0.
      expect(industry.map((s) => [s.name, sum(s.data), s.decal])).toEqual([
        [monthName, 100, true],
        [ytdName, 150, false],
      ]);
      // The open-alarm card's counts open the alarm list filtered to what they count (item 2).
      expect(await w.page.getAttribute('#open-alarms-link', 'href')).toBe('#/alarms/state=open&severity=critical%2Cwarning');
      expect(await w.page.getAttribute('#critical-alarms-link', 'href')).toBe('#/alarms/state=open&severity=critical');
      await w.page.click('#critical-alarms-link');
      await w.page.waitForSelector('#alarm-open-count');
      expect(await w.page.evaluate(() => location.hash)).toBe('#/alarms/state=open&severity=critical');
      expect(w.errors).toEqual([]);
      await w.context.close();
    },
    60_000,
  );
});
