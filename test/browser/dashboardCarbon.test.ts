/// <reference lib="dom" />
/**
 * The dashboard's carbon views in a real Chromium against the whole service on its embedded
 * defaults (aedes broker, SQLite store): readings published over MQTT and monthly statistics
 * entered over HTTP, then the enterprise carbon card, the projects table, the district carbon view
 * and the overview tile read in zh-CN and English, every figure computed by hand below.
 *
 * At t = 2026-03-02 01:00 (+08:00): f = (59 days + 1 day + 1 h) / 365 = 60.041667 / 365 = 0.164497717.
 * Factors: electricity 0.1 kgce/kWh (当量值), grid 0.6 kg CO2/kWh for 2025 and 0.5 for 2026;
 * raw coal 500 kgce/t and 2,000 kg CO2/t; clinker 0.5 t CO2/t.
 *
 * cem01 (park baitao; budget 1,000 t, intensity limit 3 t CO2/万元):
 *   2026-01 entered coal 100 t (200 t CO2), clinker 400 t (200 t), output 100 万元;
 *   2026-02 entered coal 50 t (100 t), output 100 万元; 1 March metered 100,000 kWh (50 t scope 2).
 *   combustion 300, process 200, scope 2 50: 550 t. share 550 / 1,000 = 55.0 %;
 *   pace 550 / (1,000 x 0.164497717) = 3.3435 = 334.4 % (red); forecast 550 / 0.164497717 = 3,343.5 t.
 *   intensity over Jan-Feb: (400 + 100) / 200 = 2.500 t CO2/万元, ratio 2.5 / 3 = 83.3 % (green).
 *   2025: coal 150 t in January and 150 t in February (600 t), output 100 + 100: previous 600 t, 3.000.
 * alu01 (no park, no budget, no intensity limit): 1 March metered 400,000 kWh, February's
 *   green certificates 100,000 kWh pooled over the year: (400,000 - 100,000) x 0.5 / 1,000 = 150 t.
 * District: 550 + 150 = 700 t against 600 t: +100 t, +16.7 %; contributions cem01 -50 / 100 = -50.0 %,
 *   alu01 150 / 100 = 150.0 %. Intensity 500 / 200 = 2.500 (only cem01 has output), a year earlier
 *   600 / 200 = 3.000: 2.5 / 3 - 1 = -16.7 %; required -3.8 %: target 3 x 0.962 = 2.886, on track.
 * Park baitao (cem01): 75 tce coal + 10 tce electricity = 85 tce; 550 / 85 = 6.471 t CO2/tce against 0.20.
 * Project line2 (e-line2, registers 0 on 2025-12-01 and 90,000 on 2026-03-01, 1,000 kWh a day):
 *   window 90 days, 9 tce; CO2 31,000 x 0.6 + 59,000 x 0.5 = 48.1 t; annual 9 x 365 / 90 = 36.5 tce
 *   (91.3 % of 40: warning) and 48.1 x 365 / 90 = 195.07 t (108.4 % of 180: under the 110 % line).
 * Project line3 from 2026-02-20: a 9-day window, not annualised.
 */
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPages, type WatchedPage } from '../helpers/browser';

const AT = Date.parse('2026-03-02T01:00:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

const config = testConfig({
  auth: authSection(),
  coefficients: { electricity: 0.1, raw_coal: 500 },
  emissionFactors: {
    electricity: [
      { year: 2025, value: 0.6, source: 'grid 2025' },
      { year: 2026, value: 0.5, source: 'grid 2026' },
    ],
    raw_coal: 2000,
  },
  parks: [{ id: 'baitao', name: '白涛化工园区' }],
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
      park: 'baitao',
      quotas: [{ year: 2026, totalTce: 100_000, co2BudgetT: 1000, co2IntensityLimit: 3 }],
      processEmissions: [{ product: 'cement_clinker', unit: 't', tCo2PerUnit: 0.5, source: 'plant accounting' }],
      projects: [
        { id: 'line2', name: '二期熟料线', approvedTce: 40, approvedCo2T: 180, meters: ['e-line2'], operatingFrom: '2025-12-01' },
        { id: 'line3', name: '三期', approvedTce: 500, meters: ['e-line3'], operatingFrom: '2026-02-20' },
      ],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'e-line2', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
        { id: 'e-line3', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
      ],
    },
  ],
});

async function publish(url: string, username: keyof typeof MQTT_PASSWORDS, topic: string, payload: unknown): Promise<void> {
  const gw = await mqtt.connectAsync(url, {
    username,
    password: MQTT_PASSWORDS[username],
    clientId: `gw-${username}-${Math.random()}`,
    reconnectPeriod: 0,
  });
  await gw.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  await gw.endAsync();
}

/** The readings and monthly statistics of the scenario above, stored before any page opens. */
async function feed(svc: RunningApp): Promise<void> {
  await publish(svc.mqttUrl, 'cem01', 'energy/cem01', [
    { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 0 },
    { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 100_000 },
    { meter: 'e-line2', ts: '2025-12-01T00:00:00+08:00', value: 0 },
    { meter: 'e-line2', ts: '2026-03-01T00:00:00+08:00', value: 90_000 },
  ]);
  await publish(svc.mqttUrl, 'alu01', 'energy/alu01', [
    { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 1_000_000 },
    { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 1_400_000 },
  ]);
  const coal = (t: number) => ({ raw_coal: { unit: 't', purchased: t, openingStock: 0, closingStock: 0 } });
  const months: [string, string, unknown][] = [
    ['cem01', '2025-01', { carriers: coal(150), outputValue10kYuan: 100 }],
    ['cem01', '2025-02', { carriers: coal(150), outputValue10kYuan: 100 }],
    ['cem01', '2026-01', { carriers: coal(100), products: { cement_clinker: { quantity: 400, unit: 't' } }, outputValue10kYuan: 100 }],
    ['cem01', '2026-02', { carriers: coal(50), outputValue10kYuan: 100 }],
    ['alu01', '2026-02', { greenCertificatesKwh: 100_000 }],
  ];
  for (const [id, month, body] of months) {
    const res = await svc.put(`/api/enterprises/${id}/monthly/${month}`, body);
    if (res.status !== 200) throw new Error(`monthly ${id} ${month}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await eventually(async () => {
    await svc.settle();
    // Sub-meters stay out of the enterprise's consumption: the project answer shows the line's.
    const res = await svc.get('/api/enterprises/cem01/projects');
    const line2 = (res.body as { projects: { id: string; windowTce: number }[] }).projects.find((p) => p.id === 'line2');
    if (!(line2 && line2.windowTce > 0)) throw new Error(`the project meter is not stored yet: ${JSON.stringify(res.body)}`);
    const alu = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
    if ((alu.body as { series: unknown[] }).series.length !== 1) throw new Error('the smelter day is not stored yet');
  });
}

const text = async (w: WatchedPage, selector: string): Promise<string> => ((await w.page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
const rows = async (w: WatchedPage, selector: string): Promise<string[]> =>
  w.page.$$eval(selector, (trs) => trs.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));

async function signIn(w: WatchedPage, baseUrl: string, token: string): Promise<void> {
  await w.page.goto(`${baseUrl}/`);
  await w.page.fill('#token', token);
  await w.page.press('#token', 'Enter');
  await w.page.waitForSelector('#sign-out');
}

async function toEnglish(w: WatchedPage, ready: string): Promise<void> {
  await w.page.click('#lang-switch');
  await w.page.waitForFunction((sel) => document.documentElement.lang === 'en' && document.querySelector(sel) !== null, ready);
}

maybe('dashboard carbon views in Chromium', () => {
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

  it('the enterprise page shows the carbon card and the projects, zh-CN then English', async () => {
    const w = await open();
    await signIn(w, svc.baseUrl, TOKENS.officer);
    await w.page.goto(`${svc.baseUrl}/#/enterprise/cem01`);
    await w.page.waitForSelector('#carbon-card');
    await w.page.waitForFunction(() => document.querySelectorAll('#chart-carbon-parts canvas').length > 0);

    expect(await text(w, '#carbon-ytd')).toContain('550.0 t CO₂');
    expect(await text(w, '#carbon-ytd')).toContain('红');
    expect(await text(w, '#carbon-ytd')).toContain('3,344 t CO₂'); // forecast
    const budget = await text(w, '#carbon-budget');
    expect(budget).toContain('1,000 t CO₂');
    expect(budget).toContain('55.0 %');
    expect(budget).toContain('334.4 %');
    const intensity = await text(w, '#carbon-intensity');
    expect(intensity).toContain('2.500 t CO₂/万元');
    expect(intensity).toContain('3.000 t CO₂/万元');
    expect(intensity).toContain('83.3 %');
    expect(intensity).toContain('2026-01 – 2026-02');
    expect(intensity).toContain('绿');
    expect(await text(w, '#carbon-card')).toContain('0.5000 kg CO₂/kWh (数据年份 2026 · 来源: grid 2026)');

    const projects = await rows(w, '#project-table tbody tr');
    const line2 = projects.find((r) => r.includes('line2'))!;
    expect(line2).toContain('2025-12-01 – 2026-03-01 (90 天)');
    expect(line2).toContain('9.00 tce'); // window
    expect(line2).toContain('48.10 t CO₂'); // window CO2
    expect(line2).toContain('36.50'); // annual tce
    expect(line2).toContain('91.3 %');
    expect(line2).toContain('警告');
    expect(line2).toContain('195.1'); // annual CO2
    expect(line2).toContain('108.4 %');
    expect(line2).toContain('未超');
    const line3 = projects.find((r) => r.includes('line3'))!;
    expect(line3).toContain('(9 天)');
    expect(line3).toContain('窗口不足 28 天');
    expect(line3).toContain('未设定'); // no approved CO2
    await w.screenshot('dashboard-enterprise-carbon-zh');

    await toEnglish(w, '#carbon-card');
    await w.page.waitForFunction(() => document.querySelector('#carbon-card h2')?.textContent?.includes('CO₂ year to date'));
    expect(await text(w, '#carbon-ytd')).toContain('red');
    expect(await text(w, '#carbon-card')).toContain('(data year 2026 · Source: grid 2026)');
    expect((await rows(w, '#project-table tbody tr')).find((r) => r.includes('line3'))).toContain('window under 28 days');

    // An enterprise without a budget or an intensity limit: "not set", not 0.
    await w.page.goto(`${svc.baseUrl}/#/enterprise/alu01`);
    await w.page.waitForFunction(() => document.querySelector('#carbon-card h2')?.textContent?.includes('CO₂ year to date'));
    expect(await text(w, '#carbon-budget')).toContain('not set');
    expect(await text(w, '#carbon-intensity')).toContain('not set');
    expect(await text(w, '#carbon-ytd')).toContain('150.0 t CO₂');
    expect(await text(w, '#carbon-card')).toContain('100,000 kWh'); // green certificates
    expect(await text(w, '#projects')).toContain('No energy-review project');
    await w.page.click('#lang-switch');
    await w.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('the district carbon view: parts, year on year, intensity against the required pace, parks and contributions', async () => {
    const w = await open();
    await signIn(w, svc.baseUrl, TOKENS.officer);
    // The overview's tile links to the view.
    await w.page.waitForSelector('#carbon-tile');
    const tile = await text(w, '#carbon-tile');
    expect(tile).toContain('700.0 t CO₂');
    expect(tile).toContain('+16.7 %');
    expect(tile).toContain('−16.7 %');
    expect(tile).toContain('−3.8 %');
    expect(tile).toContain('达到进度');
    await w.page.waitForSelector('#enterprise-table tbody tr');
    // Energy by park on the overview (contract 9): baitao is cem01, March so far 100,000 kWh = 10 tce,
    // the year 50 + 25 tce of entered coal + 10 = 85 tce; alu01 is in no park.
    const parkRow = (await rows(w, '#park-table tbody tr'))[0]!;
    expect(parkRow).toContain('白涛化工园区');
    expect(parkRow).toContain('10.0');
    expect(parkRow).toContain('85.0');
    expect(await rows(w, '#park-table tbody tr')).toHaveLength(1);
    await w.screenshot('dashboard-overview-carbon-zh');
    await w.page.click('#carbon-tile');
    await w.page.waitForSelector('#carbon-enterprise-table');
    await w.page.waitForFunction(() => document.querySelectorAll('#chart-district-parts canvas, #chart-contribution canvas').length >= 2);
    expect(await w.page.getAttribute('nav a[href="#/carbon"]', 'aria-current')).toBe('page');

    const total = await text(w, '#carbon-total');
    expect(total).toContain('700.0 t CO₂');
    expect(total).toContain('600.0 t CO₂');
    expect(total).toContain('+100.0 t CO₂ (+16.7 %)');
    const cards = await text(w, '#carbon-cards');
    expect(cards).toContain('300.0 t CO₂'); // combustion: cem01's coal
    expect(cards).toContain('200.0 t CO₂'); // process: clinker
    expect(cards).toContain('200.0 t CO₂'); // scope 2: 50 + 150
    expect(cards).toContain('2.500 t CO₂/万元');
    expect(await text(w, '#carbon-intensity-yoy')).toContain('−16.7 %');
    expect(await text(w, '#carbon-intensity-yoy')).toContain('3.000 t CO₂/万元');
    const pace = await text(w, '#carbon-pace');
    expect(pace).toContain('−3.8 %');
    expect(pace).toContain('2.886 t CO₂/万元');
    expect(pace).toContain('达到进度');

    const enterprises = await rows(w, '#carbon-enterprise-table tbody tr');
    // Sorted by the change, largest rise first.
    expect(enterprises[0]).toContain('重庆示例铝业有限公司');
    expect(enterprises[0]).toContain('+150.0 %');
    expect(enterprises[0]).toContain('未设定');
    expect(enterprises[1]).toContain('测试水泥');
    expect(enterprises[1]).toContain('−50.00');
    expect(enterprises[1]).toContain('−50.0 %');
    expect(enterprises[1]).toContain('白涛化工园区');
    const park = (await rows(w, '#carbon-park-table tbody tr'))[0]!;
    expect(park).toContain('白涛化工园区');
    expect(park).toContain('85.00'); // tce equivalent
    expect(park).toContain('6.471'); // t CO2 per tce
    expect(park).toContain('≤ 0.20');
    expect(park).toContain('超标');
    expect(park).toContain('未达到');
    const industries = await rows(w, '#carbon-industry-table tbody tr');
    expect(industries.find((r) => r.startsWith('3011'))).toContain('550.0');
    expect(await text(w, 'main')).toContain('grid 2026');
    await w.screenshot('dashboard-carbon-zh');

    await toEnglish(w, '#carbon-enterprise-table');
    await w.page.waitForFunction(() => document.querySelector('#carbon-pace')?.textContent?.includes('on track'));
    expect(await text(w, '#carbon-total')).toContain('Same period last year 600.0 t CO₂');
    expect(await text(w, '#carbon-park-table')).toContain('above');
    await w.screenshot('dashboard-carbon-en');

    // Last year: 2025 has its own figures (cem01's 600 t; 2024 had none).
    await w.page.selectOption('#carbon-year', '2025');
    await w.page.waitForFunction(() => document.querySelector('.page-head h1')?.textContent?.includes('2025'));
    expect(await text(w, '#carbon-total')).toContain('600.0 t CO₂');
    await w.page.click('#lang-switch');
    await w.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  it('an enterprise manager sees the carbon view of their own enterprise only, on a tablet', async () => {
    const w = await open({ width: 820, height: 1180 });
    await signIn(w, svc.baseUrl, TOKENS.alu01);
    await w.page.waitForSelector('#carbon-card');
    await w.page.click('nav a[href="#/carbon"]');
    await w.page.waitForSelector('#carbon-enterprise-table');
    const enterprises = await rows(w, '#carbon-enterprise-table tbody tr');
    expect(enterprises).toHaveLength(1);
    expect(enterprises[0]).toContain('重庆示例铝业有限公司');
    expect(await text(w, '#carbon-total')).toContain('150.0 t CO₂');
    await w.screenshot('dashboard-carbon-tablet');
  });
});
