/**
 * The rules engine on the embedded stores with an injected clock: hand-computed figures for every
 * rule, the edges (exactly at a threshold, step rounding, a year boundary), and the alarm
 * lifecycle (raise, escalate, no repeat, clear, acknowledge).
 */
import { COEFFICIENTS } from '../../config/coefficients';
import type { AlarmTransition } from '../../services/energy/alarm';
import { AlarmManager } from '../../alerts/alarmManager';
import { RuleEngine } from '../../alerts/ruleEngine';
import { FactorTable } from '../../services/energy/factors';
import { silentLogger } from '../../services/core/log';
import { StatusService } from '../../services/figures/statusService';
import { AlarmStore } from '../../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import { StateStore } from '../../services/store/state/stateStore';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { waitFor } from '../helpers/alarms';
import { openTestStateDb } from '../helpers/stateDb';
import { EventBus } from '../../services/events/eventBus';
import { MeterTimelines } from '../../services/energy/meterTimeline';
import type { MeterEvent, MeterEventInput } from '../../services/energy/meterEvents';

const at = (iso: string): number => Date.parse(iso);
const config = testConfig({
  enterprises: [
    {
      id: 'alu01',
      name: '测试铝业',
      industry: '3216',
      tariff: 'al',
      // 1,000,000 kWh x 0.1229 kgce/kWh = 122.9 tce; a cap of 245.8 tce makes that half of it.
      quotas: [
        { year: 2026, totalTce: 245.8, intensityLimit: 0.1 },
        { year: 2027, totalTce: 1000 },
      ],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
        { id: 'pot', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 60, submeter: true },
        { id: 'out', carrier: 'product', unit: 't', kind: 'counter', intervalSeconds: 900 },
      ],
    },
  ],
  tariffs: [{ id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 }],
  rules: { thresholds: [{ enterprise: 'alu01', meter: 'pot', above: 1000, forSeconds: 300, severity: 'critical' }] },
});

describe('rules engine', () => {
  let db: Awaited<ReturnType<typeof openTestStateDb>>;
  let store: SqliteTimeSeriesStore;
  let state: StateStore;
  let alarms: AlarmStore;
  let outputs: MonthlyStatisticsStore;
  let engine: RuleEngine;
  let sent: AlarmTransition[];
  const hourly = (meter: string, carrier: string, unit: string, iso: string, quantity: number): HourlyConsumption => ({
    enterprise: 'alu01',
    meter,
    carrier,
    unit,
    hour: at(iso),
    quantity,
  });

  beforeEach(async () => {
    store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
    db = await openTestStateDb();
    state = new StateStore(db);
    alarms = new AlarmStore(db);
    outputs = new MonthlyStatisticsStore(db);
    await store.start();
    sent = [];
    const factors = new FactorTable(config, COEFFICIENTS);
    const manager = new AlarmManager({ alarms, sinks: [{ notify: (t) => sent.push(...t) }], logger: silentLogger() });
    const status = new StatusService({ store, outputs, config, factors });
    engine = new RuleEngine(
      {},
      { config, status, store, state, alarms, manager, logger: silentLogger(), now: () => at('2026-01-01T00:00:00+08:00') },
    );
  });
  afterEach(async () => {
    await store.stop();
    await db.close();
  });

  const byType = (ts: AlarmTransition[]) =>
    ts
      .filter((t) => ['quota', 'tariff', 'intensity'].includes(t.alarm.type))
      .map((t) => `${t.kind} ${t.alarm.type} ${t.alarm.severity}`)
      .sort();

  it('quota: pace exactly 1.00 is green, above 1.00 yellow, share >= 1 red; then no repeats, and a new year clears', async () => {
    // 2026-07-02 12:00 is f = 182.5 / 365 = 0.5. 1,000,000 kWh = 122.9 tce = 0.5 x 245.8: pace 1.00 exactly.
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-03-01T10:00:00+08:00', 1_000_000)] });
    let t = await engine.evaluate(at('2026-07-02T12:00:00+08:00'));
    expect(byType(t)).toEqual([]);
    // 10 kWh more: pace 1.00001 > paceYellow 1.00 -> yellow (warning).
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-03-01T11:00:00+08:00', 10)] });
    t = await engine.evaluate(at('2026-07-02T12:00:00+08:00'));
    expect(byType(t)).toEqual(['raised quota warning']);
    const raised = t.find((x) => x.alarm.type === 'quota')!.alarm;
    expect(raised.value).toBeCloseTo(1_000_010 / 2_000_000, 12); // share
    expect(raised.message).toContain('测试铝业');
    // The same figures again: nothing new is sent.
    expect(byType(await engine.evaluate(at('2026-07-02T12:00:00+08:00')))).toEqual([]);
    // Reach the cap: 1,000,000 kWh more is a share of 1.000005 >= shareRed 1.00 -> critical, escalated.
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-04-01T10:00:00+08:00', 1_000_000)] });
    t = await engine.evaluate(at('2026-07-02T12:00:00+08:00'));
    expect(byType(t)).toEqual(['escalated quota critical']);
    expect(t[0]!.previousSeverity).toBe('warning');
    // 1 January 2027 00:00: the 2027 quota starts from zero, the alarm clears.
    t = await engine.evaluate(at('2027-01-01T00:00:00+08:00'));
    expect(byType(t)).toContain('cleared quota critical');
  });

  it('tariff: the aluminium step rounds up per started 20 kWh/t, with the surcharge on tariff-scope kWh', async () => {
    // 1,100,000 kWh / 82 t = 13,414.63 kWh/t: 114.63 above 13,300 is 5.73 steps -> 6 x 0.01 = 0.06 yuan/kWh.
    // The potline sub-meter's 500,000 kWh is neither in the total nor in tariff scope.
    await store.write({
      readings: [],
      hourly: [
        hourly('e-main', 'electricity', 'kWh', '2026-02-01T10:00:00+08:00', 1_100_000),
        hourly('pot', 'electricity', 'kWh', '2026-02-01T10:00:00+08:00', 500_000),
        hourly('out', 'product', 't', '2026-02-01T10:00:00+08:00', 82),
      ],
    });
    const t = await engine.evaluate(at('2026-12-31T00:00:00+08:00'));
    const tariff = t.find((x) => x.alarm.type === 'tariff')!;
    expect(tariff.kind).toBe('raised');
    // 13,414.634146... kWh/t; API figures carry 9 significant digits (contract 8), so 4 decimals here.
    expect(tariff.alarm.value).toBeCloseTo(1_100_000 / 82, 4);
    expect(tariff.alarm.message).toContain('0.06 元/kWh');
    expect(tariff.alarm.message).toContain('66,000 元'); // 0.06 x 1,100,000
    const status = await new StatusService({ store, outputs, config, factors: new FactorTable(config, COEFFICIENTS) }).statusAt(
      config.enterprises,
      at('2026-12-31T00:00:00+08:00'),
    );
    expect(status.get('alu01')!.tariff).toMatchObject({ markupYuanPerKwh: 0.06, surchargeYuan: 66_000, electricityKwh: 1_100_000, productT: 82 });
    expect(status.get('alu01')!.quota!.ytdTce).toBeCloseTo((1_100_000 * 0.1229) / 1000, 9);
  });

  it('tariff bands (cement): x exactly 0.1 stays in the 0.0 band, just above moves to 0.1', async () => {
    const cement = testConfig({
      enterprises: [
        {
          id: 'cem01',
          name: '测试水泥',
          industry: '3011',
          tariff: 'cem',
          meters: [
            { id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
            { id: 'clinker', carrier: 'product', unit: 't', kind: 'counter' },
          ],
        },
      ],
      tariffs: [
        {
          id: 'cem',
          scheme: 'bands',
          basis: 'month',
          limit: 61,
          metric: 'kwh_per_t',
          bands: [
            { over: 0, markup: 0.05 },
            { over: 0.1, markup: 0.1 },
            { over: 0.2, markup: 0.3 },
          ],
        },
      ],
    });
    const status = new StatusService({ store, outputs, config: cement, factors: new FactorTable(cement, COEFFICIENTS) });
    const h = (meter: string, carrier: string, unit: string, q: number): HourlyConsumption => ({
      enterprise: 'cem01',
      meter,
      carrier,
      unit,
      hour: at('2026-05-10T10:00:00+08:00'),
      quantity: q,
    });
    // May: 67,100 kWh / 1,000 t = 67.1 kWh/t; x = (67.1 - 61) / 61 = 0.1 exactly -> the 0.0 band, +0.05 yuan/kWh.
    await store.write({ readings: [], hourly: [h('e', 'electricity', 'kWh', 67_100), h('clinker', 'product', 't', 1000)] });
    const may = (await status.statusAt(cement.enterprises, at('2026-05-31T00:00:00+08:00'))).get('cem01')!.tariff!;
    expect(may).toMatchObject({ scheme: 'bands', markupYuanPerKwh: 0.05, basis: 'month', periodFrom: '2026-05-01T00:00:00.000+08:00' });
    expect(may.surchargeYuan).toBeCloseTo(0.05 * 67_100, 6);
    // 1 kWh more: x = 0.1000164 -> the 0.1 band.
    await store.write({ readings: [], hourly: [{ ...h('e', 'electricity', 'kWh', 67_101), hour: at('2026-05-10T10:00:00+08:00') }] });
    expect((await status.statusAt(cement.enterprises, at('2026-05-31T00:00:00+08:00'))).get('cem01')!.tariff!.markupYuanPerKwh).toBe(0.1);
    // In June (basis month) there is no output yet: no tier.
    expect((await status.statusAt(cement.enterprises, at('2026-06-02T00:00:00+08:00'))).get('cem01')!.tariff).toMatchObject({
      unitConsumption: null,
      note: 'no-output',
    });
  });

  it('tariff without product output gives no tier and an enterprise data-quality note', async () => {
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-02-01T10:00:00+08:00', 1000)] });
    const t = await engine.evaluate(at('2026-03-01T00:00:00+08:00'));
    expect(t.find((x) => x.alarm.type === 'tariff')).toBeUndefined();
    const dq = t.find((x) => x.alarm.type === 'data-quality' && x.alarm.meter === null)!;
    expect(dq.alarm.severity).toBe('warning');
    expect(dq.alarm.message).toContain('no-output');
  });

  it('intensity: ytd tce per 10^4 yuan against the limit, exactly at the limit is yellow (ratio 1.00 > 0.95), above red', async () => {
    // 1,000,000 kWh = 122.9 tce; output 1,229 x 10^4 yuan gives 0.1 tce/10^4 yuan = the limit: ratio 1.00.
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-01-10T10:00:00+08:00', 1_000_000)] });
    await outputs.put('alu01', '2026-01', { outputValue10kYuan: 1229 }, 'officer', 0);
    let t = await engine.evaluate(at('2026-12-31T00:00:00+08:00'));
    expect(t.find((x) => x.alarm.type === 'intensity')?.alarm).toMatchObject({ severity: 'warning', threshold: 0.1 });
    await outputs.put('alu01', '2026-01', { outputValue10kYuan: 1200 }, 'officer', 0);
    t = await engine.evaluate(at('2026-12-31T00:00:00+08:00'));
    expect(t.find((x) => x.alarm.type === 'intensity')).toMatchObject({ kind: 'escalated', alarm: { severity: 'critical' } });
  });

  it('threshold: above the limit for the whole duration raises, hysteresis keeps it, below the band clears', async () => {
    const t0 = at('2026-05-01T08:00:00+08:00');
    const pot = (s: number, kw: number) => ({ enterprise: 'alu01', meter: 'pot', ts: t0 + s * 1000, value: kw, quality: 'good' as const });
    await store.write({ readings: [pot(-60, 900), ...[0, 60, 120, 180, 240, 300].map((s) => pot(s, 1100))], hourly: [] });
    // At t0 + 240 s the breach has lasted 240 s only.
    expect((await engine.onReadings([pot(240, 1100)], t0 + 240_000)).filter((x) => x.alarm.type === 'threshold')).toEqual([]);
    // At t0 + 300 s: 300 s above 1,000 kW -> critical.
    const up = await engine.onReadings([pot(300, 1100)], t0 + 300_000);
    expect(up.map((x) => `${x.kind} ${x.alarm.severity}`)).toEqual(['raised critical']);
    // 960 kW is below the limit but inside the 5 % band: still open. 940 kW clears.
    await store.write({ readings: [pot(360, 960)], hourly: [] });
    expect(await engine.onReadings([pot(360, 960)], t0 + 360_000)).toEqual([]);
    await store.write({ readings: [pot(420, 940)], hourly: [] });
    const down = await engine.onReadings([pot(420, 940)], t0 + 420_000);
    expect(down.map((x) => x.kind)).toEqual(['cleared']);
  });

  it('threshold: two rules on one meter make one alarm that escalates and falls back without flapping', async () => {
    const two = testConfig({
      enterprises: [
        {
          id: 'alu01',
          name: '测试铝业',
          industry: '3216',
          meters: [{ id: 'pot', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 60, multiplier: 10 }],
        },
      ],
      rules: {
        thresholds: [
          { enterprise: 'alu01', meter: 'pot', above: 44_700, forSeconds: 120, severity: 'warning' },
          { enterprise: 'alu01', meter: 'pot', above: 46_000, forSeconds: 60, severity: 'critical' },
        ],
      },
    });
    const sent2: AlarmTransition[] = [];
    const manager = new AlarmManager({ alarms, sinks: [{ notify: (t) => sent2.push(...t) }], logger: silentLogger() });
    const eng = new RuleEngine(
      {},
      {
        config: two,
        status: new StatusService({ store, outputs, config: two, factors: new FactorTable(two, COEFFICIENTS) }),
        store,
        state,
        alarms,
        manager,
        logger: silentLogger(),
      },
    );
    const t0 = at('2026-05-01T08:00:00+08:00');
    // Readings are in kW before the multiplier of 10: 4,500 -> 45,000 kW.
    const put = async (s: number, kw: number) =>
      store.write({ readings: [{ enterprise: 'alu01', meter: 'pot', ts: t0 + s * 1000, value: kw / 10, quality: 'good' }], hourly: [] });
    for (const s of [0, 60, 120]) await put(s, 45_000);
    const kinds = async (s: number) =>
      (await eng.onReadings([{ enterprise: 'alu01', meter: 'pot', ts: t0 + s * 1000, value: 0, quality: 'good' }], t0 + s * 1000)).map(
        (x) => `${x.kind} ${x.alarm.severity}`,
      );
    expect(await kinds(120)).toEqual(['raised warning']);
    expect(await kinds(120)).toEqual([]); // evaluated again: no flapping, nothing sent
    for (const s of [180, 240]) await put(s, 47_000);
    expect(await kinds(240)).toEqual(['escalated critical']);
    await put(300, 45_500); // below 46,000 but within 5 %: stays critical
    expect(await kinds(300)).toEqual([]);
    await put(360, 43_000); // below 46,000 x 0.95 but within the warning band (44,700 x 0.95): quietly warning
    expect(await kinds(360)).toEqual([]);
    expect((await alarms.open('threshold', 'alu01', 'pot'))?.severity).toBe('warning');
    await put(420, 42_000); // below 42,465: clears
    expect(await kinds(420)).toEqual(['cleared warning']);
    expect(sent2.map((x) => x.kind)).toEqual(['raised', 'escalated', 'cleared']);
  });

  it('threshold on a counter compares its consumption per interval, and the alarm of a removed rule clears', async () => {
    const cfg = testConfig({
      enterprises: [
        {
          id: 'alu01',
          name: '测试铝业',
          industry: '3216',
          meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900, multiplier: 2 }],
        },
      ],
      rules: { thresholds: [{ enterprise: 'alu01', meter: 'e', above: 10_000, forSeconds: 1800, severity: 'warning' }] },
    });
    const manager = new AlarmManager({ alarms, sinks: [], logger: silentLogger() });
    const mk = (c: typeof cfg) =>
      new RuleEngine(
        {},
        {
          config: c,
          status: new StatusService({ store, outputs, config: c, factors: new FactorTable(c, COEFFICIENTS) }),
          store,
          state,
          alarms,
          manager,
          logger: silentLogger(),
          now: () => at('2026-05-01T08:45:00+08:00'),
        },
      );
    const t0 = at('2026-05-01T08:00:00+08:00');
    // Register steps of 6,000 x 2 = 12,000 kWh per 15 minutes for 45 minutes: above 10,000 for 30 min.
    await store.write({
      readings: [0, 1, 2, 3].map((i) => ({
        enterprise: 'alu01',
        meter: 'e',
        ts: t0 + i * 900_000,
        value: 1_000_000 + i * 6000,
        quality: 'good' as const,
      })),
      hourly: [],
    });
    const raised = (await mk(cfg).evaluate(t0 + 2_700_000)).filter((x) => x.alarm.type === 'threshold');
    expect(raised.map((x) => `${x.kind} ${x.alarm.value} ${x.alarm.unit}`)).toEqual(['raised 12000 kWh/900 s']);
    // The rule is removed from the configuration: the next full cycle clears its alarm.
    const without = testConfig({ enterprises: cfg.enterprises.map((e) => ({ ...e })) });
    const cleared = (await mk(without).evaluate(t0 + 2_700_000)).filter((x) => x.alarm.type === 'threshold');
    expect(cleared.map((x) => x.kind)).toEqual(['cleared']);
  });

  it('silence: after 4 x the interval without data, not at exactly 4 x; cleared when data resumes', async () => {
    const last = at('2026-05-01T08:00:00+08:00');
    await store.write({ readings: [{ enterprise: 'alu01', meter: 'e-main', ts: last, value: 1, quality: 'good' }], hourly: [] });
    const silence = (ts: AlarmTransition[]) => ts.filter((x) => x.alarm.type === 'silence' && x.alarm.meter === 'e-main').map((x) => x.kind);
    expect(silence(await engine.evaluate(last + 3600_000))).toEqual([]);
    expect(silence(await engine.evaluate(last + 3600_001))).toEqual(['raised']);
    await store.write({ readings: [{ enterprise: 'alu01', meter: 'e-main', ts: last + 3700_000, value: 2, quality: 'good' }], hourly: [] });
    expect(silence(await engine.evaluate(last + 3700_000))).toEqual(['cleared']);
  });

  it('data quality: resets per meter as info, a quarantine burst per enterprise as warning', async () => {
    const now = at('2026-05-01T08:00:00+08:00');
    await state.recordDataQuality([{ kind: 'reset', enterprise: 'alu01', meter: 'e-main', ts: now - 1000 }], now - 1000);
    await state.quarantine(
      Array.from({ length: 10 }, (_, i) => ({
        topic: 'energy/alu01/x',
        payload: '{}',
        reason: 'unknown-meter' as const,
        detail: 'x',
        receivedAt: now - i * 1000,
        enterprise: 'alu01',
        sourceRef: `t${i}`,
      })),
    );
    const t = (await engine.evaluate(now)).filter((x) => x.alarm.type === 'data-quality');
    expect(t.map((x) => `${x.alarm.meter ?? '*'} ${x.alarm.severity}`).sort()).toEqual(['* warning', 'e-main info']);
    // A day later without new events the meter's clears; the enterprise's stays for its other
    // finding (no product output for the tariff), without a new notification.
    const later = (await engine.evaluate(now + 25 * 3600_000)).filter((x) => x.alarm.type === 'data-quality');
    expect(later.map((x) => `${x.kind} ${x.alarm.meter}`)).toEqual(['cleared e-main']);
    expect((await alarms.open('data-quality', 'alu01', null))?.message).toMatch(/no-output 1$/);
  });

  it('records who acknowledged, and an escalation re-activates an acknowledged alarm', async () => {
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-03-01T10:00:00+08:00', 1_100_000)] });
    const [quota] = (await engine.evaluate(at('2026-07-02T12:00:00+08:00'))).filter((x) => x.alarm.type === 'quota');
    expect(await alarms.acknowledge(quota!.alarm.id, 'officer-li', 5)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer-li' });
    await store.write({ readings: [], hourly: [hourly('e-main', 'electricity', 'kWh', '2026-04-01T10:00:00+08:00', 1_000_000)] });
    const [esc] = (await engine.evaluate(at('2026-07-02T12:00:00+08:00'))).filter((x) => x.alarm.type === 'quota');
    expect(esc).toMatchObject({ kind: 'escalated', alarm: { state: 'active', severity: 'critical', acknowledgedBy: null } });
    expect(sent.filter((x) => x.alarm.type === 'quota').map((x) => x.kind)).toEqual(['raised', 'escalated']);
  });

  describe('meter events (contract 8.1)', () => {
    let timelines: MeterTimelines;
    let bus: EventBus;
    let nextId = 1;
    const record = (input: MeterEventInput, meter = 'e-main'): void =>
      timelines.add({ ...input, id: nextId++, enterprise: 'alu01', meter, recordedBy: 'officer', recordedAt: input.at } as MeterEvent);
    const kinds = (ts: AlarmTransition[], type: string) =>
      ts.filter((x) => x.alarm.type === type).map((x) => `${x.kind} ${x.alarm.meter} ${x.alarm.severity}`);

    beforeEach(() => {
      timelines = new MeterTimelines();
      bus = new EventBus(silentLogger());
      const factors = new FactorTable(config, COEFFICIENTS);
      const manager = new AlarmManager({ alarms, sinks: [{ notify: (t) => sent.push(...t) }], logger: silentLogger() });
      const status = new StatusService({ store, outputs, config, factors });
      engine = new RuleEngine(
        { ledgerDebounceMs: 20, schedule: '0 0 1 1 *' },
        { config, status, store, state, alarms, manager, logger: silentLogger(), now: () => at('2027-09-12T00:00:00+08:00'), timelines, events: bus },
      );
    });

    it('calibration: nothing before the last 30 valid days, warning in them, critical after, cleared by a later certificate', async () => {
      // validUntil 2027-10-11 (last valid day): warning from 2027-09-12 00:00 (+08:00), critical from 2027-10-12 00:00.
      record({ type: 'calibration', at: at('2026-10-12T10:00:00+08:00'), validUntil: '2027-10-11', certificate: 'JD-2026-0412' });
      expect(kinds(await engine.evaluate(at('2027-09-11T23:59:59+08:00')), 'calibration')).toEqual([]);
      expect(kinds(await engine.evaluate(at('2027-09-12T00:00:00+08:00')), 'calibration')).toEqual(['raised e-main warning']);
      expect(kinds(await engine.evaluate(at('2027-10-11T23:59:59+08:00')), 'calibration')).toEqual([]);
      expect(kinds(await engine.evaluate(at('2027-10-12T00:00:00+08:00')), 'calibration')).toEqual(['escalated e-main critical']);
      expect((await alarms.open('calibration', 'alu01', 'e-main'))?.message).toContain('2027-10-11');
      // Recalibrated on 13 October, valid for a year: the alarm clears; the meter without events raises nothing.
      record({ type: 'calibration', at: at('2027-10-13T09:00:00+08:00'), validUntil: '2028-10-12', certificate: 'JD-2027-0977' });
      expect(kinds(await engine.evaluate(at('2027-10-13T12:00:00+08:00')), 'calibration')).toEqual(['cleared e-main critical']);
    });

    it('decommission: silence and calibration stop at the decommission instant', async () => {
      const last = at('2026-05-01T08:00:00+08:00');
      await store.write({ readings: [{ enterprise: 'alu01', meter: 'e-main', ts: last, value: 1, quality: 'good' }], hourly: [] });
      record({ type: 'calibration', at: at('2025-05-01T00:00:00+08:00'), validUntil: '2026-04-30' });
      // 4 x 900 s after the last reading and a millisecond: silent; the certificate ran out on 1 May 00:00.
      const before = await engine.evaluate(last + 3600_001);
      expect([...kinds(before, 'silence'), ...kinds(before, 'calibration')].filter((k) => k.includes('e-main'))).toEqual([
        'raised e-main warning',
        'raised e-main critical',
      ]);
      record({ type: 'decommission', at: at('2026-05-01T10:00:00+08:00'), finalRegister: 1 });
      // Before the decommission instant nothing changes; from it on both clear.
      expect(kinds(await engine.evaluate(at('2026-05-01T09:59:59+08:00')), 'silence')).toEqual([]);
      const after = await engine.evaluate(at('2026-05-01T10:00:00+08:00'));
      expect([...kinds(after, 'silence'), ...kinds(after, 'calibration')]).toEqual(['cleared e-main warning', 'cleared e-main critical']);
      expect(kinds(await engine.evaluate(at('2026-06-01T10:00:00+08:00')), 'silence')).toEqual([]);
    });

    it('runs one cycle after a burst of ledger changes', async () => {
      await engine.start();
      record({ type: 'calibration', at: at('2026-10-12T10:00:00+08:00'), validUntil: '2027-10-11' });
      // The engine's clock says 2027-09-12 00:00: the first day of the warning.
      for (let i = 0; i < 3; i++) bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: 'alu01', from: at('2026-10-12T10:00:00+08:00') });
      await waitFor('the calibration alarm', () => sent.some((t) => t.alarm.type === 'calibration'));
      await new Promise((r) => setTimeout(r, 100));
      expect(kinds(sent, 'calibration')).toEqual(['raised e-main warning']);
      await engine.stop();
      // After stop, a change runs nothing.
      bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: 'alu01', from: 0 });
      await new Promise((r) => setTimeout(r, 60));
      expect(kinds(sent, 'calibration')).toHaveLength(1);
    });
  });
});
