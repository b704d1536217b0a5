/**
 * Contract 8 (docs/ledger/figures.md): API figures keep at least 9 significant digits and carry no
 * float noise such as `45440.000001341105`. The demo configuration (every carrier, multipliers,
 * rollovers, tariffs, carbon, a park and a project) is fed, through the embedded broker, 15-minute
 * readings chosen to make noise: registers like 14163526.1 rising by tenths, off the hour (so every
 * hour boundary is interpolated), interval and power values of 0.1 + 0.2 style. Then every read
 * route the running app registered (services/http/routeTable.ts, as the role x route table reads
 * it) is called for every enterprise, and any non-integer number in a JSON answer whose shortest
 * decimal form has more than 12 significant digits fails, with the route and the JSON path named.
 * A new GET route is covered without a line here; a line is needed only for its query.
 */
import mqtt from 'mqtt';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../config/load';
import type { Config } from '../../config/schema';
import { startApp, type RunningApp } from '../helpers/app';

const NOW = Date.parse('2026-11-14T10:00:00+08:00');
/** From 20 October 00:07 (off the hour) to just before NOW, every 15 minutes: 2,400 readings a meter. */
const FIRST = Date.parse('2026-10-20T00:07:00+08:00');
const STEP = 15 * 60 * 1000;
const COUNT = Math.floor((NOW - FIRST) / STEP);
const ADMIN = 'demo-admin';
const MAX_DIGITS = 12;

/** Shortest round-trip decimal of x, in significant digits (leading and trailing zeros dropped). */
function significantDigits(x: number): number {
  const mantissa = Math.abs(x).toExponential().split('e')[0]!.replace('.', '');
  return mantissa.replace(/0+$/, '').length || 1;
}

/**
 * A reading value by meter kind: counters start at a register like 14163526.1 and rise by a step
 * in tenths and hundredths; interval and power meters alternate 0.1-style values.
 */
function value(kind: string, meterIndex: number, k: number): number {
  if (kind === 'counter') return Number((12345.6 + meterIndex * 1_000_000.1 + k * (0.1 + 0.07 * meterIndex)).toFixed(3));
  if (kind === 'power') return [100.1, 100.2, 100.3][k % 3]!;
  return [0.1, 0.2, 0.3][k % 3]!;
}

async function publishAll(svc: RunningApp, config: Config): Promise<void> {
  for (const enterprise of config.enterprises) {
    const gw = await mqtt.connectAsync(svc.mqttUrl, {
      username: enterprise.id,
      password: `${enterprise.id}-demo`,
      clientId: `noise-${enterprise.id}-${process.pid}`,
      reconnectPeriod: 0,
    });
    for (const [i, meter] of enterprise.meters.entries()) {
      const all = Array.from({ length: COUNT }, (_, k) => ({ ts: FIRST + k * STEP, value: value(meter.kind, i, k) }));
      // 14163526.1 on alu01's main meter: the register of the issue, rising by 0.1 kWh x 2,000.
      if (enterprise.id === 'alu01' && meter.id === 'e-main') all.forEach((r, k) => (r.value = Number((14163526.1 + k * 0.1).toFixed(1))));
      for (let at = 0; at < all.length; at += 500) {
        await gw.publishAsync(`energy/${enterprise.id}/${meter.id}`, JSON.stringify(all.slice(at, at + 500)), { qos: 1 });
      }
    }
    // One message the pipeline refuses, so that the quarantine has a record to read.
    if (enterprise.id === 'alu01') await gw.publishAsync('energy/alu01/e-main', JSON.stringify({ ts: FIRST, value: 'not a number' }), { qos: 1 });
    await gw.endAsync();
  }
}

/** Query variants of a route; a route not listed is called once with its parameters filled in. */
const QUERIES: Readonly<Record<string, readonly string[]>> = {
  'GET /api/enterprises/:id/consumption': [
    '?every=1h&from=2026-10-31&to=2026-11-02',
    '?every=1d&from=2026-10-01&to=2026-11-15',
    '?every=1mo&from=2026-01-01&to=2027-01-01',
  ],
  'GET /api/enterprises/:id/status': ['', '?at=2026-11-01T00:00:00%2B08:00'],
  'GET /api/enterprises/:id/projects': ['', '?at=2026-11-01T00:00:00%2B08:00'],
  'GET /api/enterprises/:id/diagnosis': ['?month=2026-10', '?month=2026-11&meter=e-main'],
  'GET /api/enterprises/:id/reconciliation': ['?month=2026-10'],
  'GET /api/enterprises/:id/monthly/:month': ['', '?history=1'],
  'GET /api/district/carbon': ['', '?year=2025'],
  'GET /api/district/benchmark': ['', '?period=ytd'],
  'GET /api/enterprises/:id/meters/:meterId/consumption': ['', '?every=1h&from=2026-11-01&to=2026-11-03', '?every=1mo&from=2026-01-01&to=2027-01-01'],
  'GET /api/reports/month-state': ['?month=2026-10'],
  'GET /api/monthly/template': ['?month=2026-10'],
  'GET /api/reports/monthly': ['?month=2026-10&format=json'],
  'GET /api/reports/monthly/:enterpriseId': ['?month=2026-10&format=json'],
  'GET /api/alarms': ['?state=all'],
  'GET /api/quarantine': ['?status=all'],
};
/** Not JSON figures: a stream, Prometheus text, the page and its assets. */
const SKIP = /^GET \/api\/events$|^GET \/metrics$|^STATIC |^GET \/(static|enterprises|carbon|alarms|reports|data)?(\/|$)/;

/**
 * Ratios that are compared with thresholds (share, pace, ratio, ...) are rounded to 12 decimal
 * places before the comparison (roundRatio, services/energy/quota.ts) and answered as compared, so
 * that the level and the figure never disagree: a ratio of 2.658762992572 has 13 significant digits
 * but no noise. A field of these names passes when it is exactly at 12 decimals.
 */
const RATIO_KEYS = new Set(['share', 'pace', 'ratio', 'tceShare', 'co2Share', 'change', 'contribution', 'co2PerTce', 'intensityChange']);
const atTwelveDecimals = (x: number): boolean => Math.abs(x) < 1000 && Math.round(x * 1e12) / 1e12 === x;

/** Every number in `json` with more significant digits than allowed, with its path. */
function noisy(json: unknown, at = '$', key = ''): string[] {
  if (typeof json === 'number') {
    const ok = Number.isInteger(json) || significantDigits(json) <= MAX_DIGITS || (RATIO_KEYS.has(key) && atTwelveDecimals(json));
    return ok ? [] : [`${at} = ${json}`];
  }
  if (Array.isArray(json)) return json.flatMap((v, i) => noisy(v, `${at}[${i}]`, key));
  if (json !== null && typeof json === 'object') return Object.entries(json).flatMap(([k, v]) => noisy(v, `${at}.${k}`, k));
  return [];
}

/** The first id of a list route (`/api/alarms` for `/api/alarms/:id`); undefined when the list is empty. */
async function firstId(svc: RunningApp, listPath: string): Promise<string | undefined> {
  const res = await svc.get(`${listPath}${listPath.includes('quarantine') ? '?status=all' : '?state=all'}`, ADMIN);
  const body = res.body as { id?: unknown }[] | { items?: { id?: unknown }[] };
  const items = Array.isArray(body) ? body : (body.items ?? []);
  return items[0]?.id === undefined ? undefined : String(items[0].id);
}

describe('API figures carry no float noise (contract 8)', () => {
  let svc: RunningApp;
  let config: Config;
  beforeAll(async () => {
    config = loadConfigFile(DEMO_CONFIG_PATH);
    svc = await startApp(config, {}, { now: () => NOW });
    await publishAll(svc, config);
    await svc.settle();
    // October's output values and a month of entered raw coal: intensity, carbon intensity, reconciliation.
    for (const [i, e] of config.enterprises.entries()) {
      const put = await svc.put(
        `/api/enterprises/${e.id}/monthly/2026-10`,
        { outputValue10kYuan: [4321.1, 4321.3, 4321.5, 4321.7][i], valueAdded10kYuan: 980.3 },
        ADMIN,
      );
      expect(put.status).toBe(200);
    }
    const coal = { carriers: { raw_coal: { unit: 't', purchased: 1200.1, openingStock: 300.2, closingStock: 250.3 } } };
    expect((await svc.put('/api/enterprises/pha01/monthly/2026-10', coal, ADMIN)).status).toBe(200);
  }, 120_000);
  afterAll(async () => svc?.stop());

  it('counts significant digits of the shortest decimal form (hand-checked)', () => {
    expect(significantDigits(45440.000001341105)).toBe(17); // 4544000000134110 5: 17 digits
    expect(significantDigits(0.30000000000000004)).toBe(17);
    expect(significantDigits(14163526.1)).toBe(9);
    expect(significantDigits(0.000123)).toBe(3);
    expect(significantDigits(-2500)).toBe(2);
  });

  it('stored the readings (the test feeds what it means to)', async () => {
    const res = await svc.get('/api/enterprises/alu01/consumption?every=1d&from=2026-10-21&to=2026-10-22', ADMIN);
    expect(res.status).toBe(200);
    // A day of alu01's main meter: 96 steps of 0.1 register x 2,000 = 19,200 kWh.
    expect(JSON.stringify(res.body)).toContain('19200');
  });

  it('every read route, for every enterprise, answers figures of at most 12 significant digits', async () => {
    const routes = svc.app.http
      .routes()
      .filter((r) => r.method === 'GET')
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !SKIP.test(r));
    expect(routes.length).toBeGreaterThan(15);
    const found: string[] = [];
    let checked = 0;
    const checkedRoutes: string[] = [];
    for (const route of routes) {
      const pattern = route.slice('GET '.length);
      const ofEnterprise = /^\/api\/(enterprises|reports\/monthly)\/:/.test(pattern);
      // An alarm or quarantine record: the first one listed (none listed: nothing to check).
      const record = !ofEnterprise && pattern.endsWith('/:id') ? await firstId(svc, pattern.slice(0, -'/:id'.length)) : undefined;
      if (!ofEnterprise && pattern.endsWith('/:id') && record === undefined) continue;
      const ids = ofEnterprise ? config.enterprises.map((e) => e.id) : [record ?? ''];
      for (const id of ids) {
        for (const query of QUERIES[route] ?? ['']) {
          const target = `${pattern
            .replace(/:(id|enterpriseId)\b/g, id)
            .replace(':meterId', 'e-main')
            .replace(':month', '2026-10')}${query}`;
          const res = await fetch(`${svc.baseUrl}${target}`, { headers: { authorization: `Bearer ${ADMIN}` } });
          const text = await res.text();
          if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) continue;
          if (res.status !== 200) found.push(`${target}: status ${res.status} ${text.slice(0, 200)}`);
          checked++;
          checkedRoutes.push(route);
          found.push(...noisy(JSON.parse(text) as unknown).map((n) => `${target}: ${n}`));
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(checkedRoutes).toEqual(expect.arrayContaining(['GET /api/alarms/:id', 'GET /api/quarantine/:id', 'GET /api/district/overview']));
    expect(found).toEqual([]);
  }, 300_000);
});
