/// <reference lib="dom" />
/**
 * The translation walk (issue 21 item 4): the demo configuration served in-process, readings of a
 * few demo meters published over MQTT (one counter going backwards: a reset; one gas meter), then
 * every page visited in zh-CN and in English in a real Chromium. A page fails on
 *  - zh-CN: a Latin word outside the allow-list (units, ids in id columns, proper names, the
 *    configured sources, which are data and labelled 来源),
 *  - English: a Han character outside the allow-list (enterprise, park, meter and project names,
 *    configured product and tariff names: proper names from the configuration),
 *  - either: a raw id shown as a label, or a 13-digit number where a time is shown (epoch ms).
 * The text checked is the visible text of <main> and the header, chart canvases excluded (their
 * text is not in the DOM); a chart's labels come from the same dictionaries.
 */
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../config/load';
import type { Config } from '../../config/schema';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { hasChromium, launchChromium, watchedPage, type WatchedPage } from '../helpers/browser';

const AT = Date.parse('2026-03-02T10:30:00+08:00');
const maybe = process.env.CI === 'true' || hasChromium() ? describe : describe.skip;

function demoConfig(): Config {
  const demo = loadConfigFile(DEMO_CONFIG_PATH);
  return { ...demo, auth: authSection() };
}

/** Proper names and configured data: allowed in the other script (they are what the user configured). */
function configuredNames(config: Config): string[] {
  const names: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim()) names.push(v);
  };
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (/^(name|nameEn|source|note|title|id)$/i.test(key)) add(v);
  };
  walk(config);
  return names;
}

// Units, symbols and abbreviations read as such in both languages.
const ZH_LATIN_ALLOWED = new Set(
  [
    'kWh',
    'MWh',
    'GWh',
    'kW',
    'tce',
    'kgce',
    't',
    'kg',
    'CO₂',
    'CO2',
    'm³',
    'm3',
    'GJ',
    'MJ',
    'h',
    'd',
    'min',
    's',
    'kgce/t',
    'GB',
    'GB/T',
    'T',
    'ISO',
    'PDF',
    'XLSX',
    'CSV',
    'ID',
    'MQTT',
    'API',
    'UTC',
    'Asia/Shanghai',
    'Asia',
    'Shanghai',
    'RMB',
    'A',
    'B',
    'C',
    'D',
    'NDRC',
    'IPCC',
    'ECharts',
    'Scope',
    'kvarh',
    'Nm³',
    'Nm3',
    'MPa',
    'tCO₂',
    'x',
    'e',
    'm',
    'a',
    // File formats named on the export buttons; P5 (a percentile) and max() in a formula.
    'HTML',
    'JSON',
    'Excel',
    'P',
    'max',
    'kgCO',
  ].map((s) => s.toLowerCase()),
);
/** After this label the rest of a line is a citation: configured or published data, kept as written. */
const SOURCE_LABEL = /(来源|Source)[:：]?\s.*$/;
/** A product id in brackets after the product's name: the id shown on purpose, as an id. */
const ID_AFTER_NAME = /\(([a-z][a-z0-9_]*)\)/g;
// Product ids of the demo's enterprises too: a chart headed `cement_clinker` reads as English in both languages.
const RAW_IDS = [
  'natural_gas',
  'aluminium-2025',
  'cement-bands',
  'data-quality',
  'non-finite',
  'feedstock_natural_gas',
  'raw_coal',
  'cement_clinker',
  'aluminium_liquid',
  'methanol_natural_gas',
];

/** Removes the allowed names from a text, longest first, so that their words are not flagged. */
function strip(text: string, names: string[]): string {
  let out = text;
  for (const n of [...names].sort((a, b) => b.length - a.length)) out = out.split(n).join(' ');
  return out;
}

interface Finding {
  page: string;
  lang: string;
  kind: string;
  text: string;
}

async function visibleText(w: WatchedPage): Promise<{ text: string; ids: string[] }> {
  return w.page.evaluate(() => {
    // Cells of id columns and elements marked as ids (small text) show ids on purpose.
    const ids = Array.from(document.querySelectorAll('.id, code, [data-id-cell]')).map((e) => (e.textContent ?? '').trim());
    // The benchmark table's source column (headed 来源 / Source) holds citations as published.
    ids.push(...Array.from(document.querySelectorAll('td .basis')).map((e) => (e.textContent ?? '').trim()));
    // The language switch names the other language in that language, on purpose.
    ids.push((document.getElementById('lang-switch')?.textContent ?? '').trim());
    // Text kept as recorded (a stored alarm message, a server detail) must carry its label.
    const unlabelled = Array.from(document.querySelectorAll('[data-recorded]'))
      .filter((e) => !e.previousElementSibling?.classList.contains('recorded-label'))
      .map((e) => `unlabelled recorded text: ${e.textContent ?? ''}`);
    ids.push(...Array.from(document.querySelectorAll('[data-recorded]')).map((e) => (e.textContent ?? '').trim()));
    const parts = [document.getElementById('top'), document.getElementById('main')].map((e) => (e as HTMLElement | null)?.innerText ?? '');
    return { text: [...parts, ...unlabelled].join('\n'), ids };
  });
}

function check(page: string, lang: 'zh-CN' | 'en', text: string, ids: string[], names: string[]): Finding[] {
  const found: Finding[] = [];
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    const rest = strip(strip(line.replace(ID_AFTER_NAME, ' '), ids), names).replace(SOURCE_LABEL, ' ');
    for (const raw of RAW_IDS) if (rest.includes(raw)) found.push({ page, lang, kind: `raw id ${raw}`, text: line });
    if (/(?<![\d.,])\d{13}(?![\d.,])/.test(rest)) found.push({ page, lang, kind: 'epoch ms', text: line });
    if (lang === 'zh-CN') {
      const words = (rest.match(/[A-Za-z][A-Za-z_\-³₂]*/g) ?? []).filter((word) => !ZH_LATIN_ALLOWED.has(word.toLowerCase()));
      if (words.length > 0) found.push({ page, lang, kind: `latin ${words.join(',')}`, text: line });
    } else if (/\p{Script=Han}/u.test(rest.replace(/元|万元/g, ''))) {
      found.push({ page, lang, kind: 'han', text: line });
    }
  }
  return found;
}

async function publish(url: string, payload: unknown): Promise<void> {
  const gw = await mqtt.connectAsync(url, {
    username: 'alu01',
    password: MQTT_PASSWORDS.alu01,
    clientId: `gw-lang-${Math.random()}`,
    reconnectPeriod: 0,
  });
  await gw.publishAsync('energy/alu01', JSON.stringify(payload), { qos: 1 });
  await gw.endAsync();
}

maybe('every dashboard string in the reader’s language', () => {
  let svc: RunningApp;
  let browser: Browser;
  const config = demoConfig();
  // Ids that must never be shown as labels stay checked even though they are configured ids.
  const names = configuredNames(config).filter((n) => !RAW_IDS.includes(n));

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => AT });
    // Hourly registers through the morning; the main meter goes backwards at 09:00 (a reset).
    const at = (h: number) => `2026-03-02T${String(h).padStart(2, '0')}:00:00+08:00`;
    const readings: unknown[] = [];
    for (let hr = 0; hr <= 10; hr++) {
      readings.push({ meter: 'e-main', ts: at(hr), value: hr < 9 ? 1_000_000 + hr * 500 : 10 + (hr - 9) * 500 });
      readings.push({ meter: 'gas-main', ts: at(hr), value: 50_000 + hr * 40 });
    }
    await publish(svc.mqttUrl, readings);
    // Into the quarantine: a non-finite value, an unknown meter (both with epoch-ms times).
    await publish(svc.mqttUrl, [{ meter: 'gas-main', ts: AT - 600_000, value: 'Infinity' }]);
    await publish(svc.mqttUrl, [{ meter: 'no-such-meter', ts: AT - 600_000, value: 1 }]);
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/enterprises/alu01/meters');
      const meters = (res.body as { meters: { id: string; lastReading: unknown }[] }).meters;
      if (!meters.find((m) => m.id === 'gas-main')?.lastReading) throw new Error('readings not stored yet');
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
  });

  const enterprises = (): string[] => config.enterprises.map((e) => e.id);
  const routes = (): { name: string; hash: string; ready: string }[] => [
    { name: 'overview', hash: '#/', ready: '#enterprise-table' },
    ...enterprises().map((id) => ({ name: `enterprise ${id}`, hash: `#/enterprise/${id}`, ready: '#meter-table' })),
    { name: 'meter alu01/e-main', hash: '#/enterprise/alu01/meter/e-main', ready: 'main h1' },
    { name: 'meter alu01/gas-main', hash: '#/enterprise/alu01/meter/gas-main', ready: 'main h1' },
    { name: 'industry 3216', hash: '#/industry/3216', ready: 'main h1' },
    { name: 'carbon', hash: '#/carbon', ready: 'main h1' },
    { name: 'benchmark', hash: '#/benchmark', ready: 'main h1' },
    { name: 'alarms', hash: '#/alarms', ready: 'main h1' },
    { name: 'reports', hash: '#/reports', ready: 'main h1' },
    { name: 'data', hash: '#/data', ready: 'main h1' },
  ];

  it('walks every page in zh-CN and English and finds no string of the other script, raw id or epoch ms', async () => {
    const w = await watchedPage(browser, { width: 1440, height: 900 });
    await w.page.goto(`${svc.baseUrl}/`);
    await w.page.fill('#token', TOKENS.admin);
    await w.page.press('#token', 'Enter');
    await w.page.waitForSelector('#sign-out');
    const findings: Finding[] = [];
    const seen = new Map<string, string>();
    for (const lang of ['zh-CN', 'en'] as const) {
      await w.page.evaluate((l) => localStorage.setItem('energy-monitor.lang', l), lang);
      // The quarantine's two items are there to be read (reasons, details, payload times).
      await eventually(async () => {
        const res = await svc.get('/api/quarantine?status=open');
        if ((res.body as { total: number }).total < 2) throw new Error('quarantine not filled yet');
      });
      // The rule engine's data-quality alarms (no output value entered), evaluated at AT.
      await svc.app.rules.evaluate(AT);
      await eventually(async () => {
        const res = await svc.get('/api/alarms?limit=500');
        if (!JSON.stringify(res.body).includes('"data-quality"')) throw new Error('no data-quality alarm yet');
      }, 30_000);
      for (const r of routes()) {
        await w.page.goto(`${svc.baseUrl}/${r.hash}`);
        await w.page.reload();
        await w.page.waitForSelector(r.ready, { timeout: 15_000 });
        await w.page.waitForFunction(() => !document.querySelector('main .loading'));
        expect(await w.page.evaluate(() => document.documentElement.lang)).toBe(lang);
        const { text, ids } = await visibleText(w);
        seen.set(`${lang} ${r.name}`, text);
        if (r.name === 'overview' || r.name === 'enterprise alu01') {
          // The charts of issue 21 item 5 (separate axes, in-progress marks, toolbox), for a reader to look at.
          await w.page.waitForFunction(() => document.querySelectorAll('main .chart canvas').length > 0);
          await w.screenshot(`dashboard-language-${r.name.replace(' ', '-')}-${lang}`);
        }
        findings.push(...check(r.name, lang, text, ids, names));
      }
    }
    // The walk reads what it is meant to: the quarantine's reasons, details and payload times
    // (AT - 10 min = 2026-03-02 10:20:00 +08:00), the data-quality alarm's events, in both languages.
    expect(seen.get('zh-CN data')).toContain('非有限数值');
    expect(seen.get('zh-CN data')).toContain('数值为 Infinity');
    expect(seen.get('zh-CN data')).toContain('报文时间（站点时区）: 2026-03-02 10:20:00');
    expect(seen.get('en data')).toContain('not a finite number');
    expect(seen.get('en data')).toContain('Times in the payload (site zone): 2026-03-02 10:20:00');
    expect(seen.get('zh-CN alarms')).toContain('数据质量：无产值数据 1');
    expect(seen.get('en alarms')).toContain('Data quality: no output value 1');
    expect(seen.get('en industry 3216')).toContain('3216 Aluminium smelting');
    // The product's daily chart headed by its configured name, the grid factor's citation labelled.
    expect(seen.get('zh-CN enterprise cem01')).toContain('产品日单耗及趋势: 水泥熟料');
    expect(seen.get('en enterprise cem01')).toContain('Unit consumption by day and its trend: Cement clinker');
    expect(seen.get('zh-CN carbon')).toMatch(/kg CO₂\/kWh \(数据年份 \d{4} · 来源: /);
    expect(seen.get('en enterprise cem01')).toMatch(/kg CO₂\/kWh \(data year \d{4} · Source: /);
    // The checker itself finds what it is for.
    expect(check('t', 'zh-CN', '数据质量：reset 7', [], []).length).toBe(1);
    expect(check('t', 'en', 'Industry 3216 铝冶炼', [], []).length).toBe(1);
    expect(check('t', 'en', 'payload ts 1772418000000', [], []).map((f) => f.kind)).toEqual(['epoch ms']);
    expect(check('t', 'zh-CN', '天然气 natural_gas', [], []).map((f) => f.kind)).toContain('raw id natural_gas');
    expect(check('t', 'en', 'Unit consumption by day and its trend: cement_clinker', [], []).map((f) => f.kind)).toEqual(['raw id cement_clinker']);
    expect(check('t', 'zh-CN', '电网排放因子 0.5810 kg CO₂/kWh (数据年份 2023 · National grid average)', [], []).length).toBe(1);
    // One line per finding, so that a failure names the page, the language and the string.
    expect(findings.map((f) => `${f.lang} · ${f.page} · ${f.kind} · ${f.text.slice(0, 160)}`)).toEqual([]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  }, 240_000);
});
