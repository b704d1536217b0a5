/**
 * Meter events (contract 8.1) end to end below HTTP, on both time-series stores (SQLite and a real
 * influxd): record a replacement through MeterEventService, check the hours and the day rollup,
 * retract it, record it again, then restart everything on the same data (new store instances, a
 * new service) with the event still applied to old hours and to new and late readings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConsumptionTracker } from '../../ingest/consumptionTracker';
import { silentLogger } from '../../services/core/log';
import type { Reading } from '../../services/energy/reading';
import { EventBus } from '../../services/events/eventBus';
import { MeterEventService } from '../../services/ledger/meterEventService';
import { InfluxTimeSeriesStore } from '../../services/store/influx/influxTimeSeriesStore';
import { routeInfluxClientLogs } from '../../services/store/influx/routeInfluxClientLogs';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import { MeterEventStore } from '../../services/store/state/meterEventStore';
import type { TimeSeriesStore } from '../../services/store/timeSeriesStore';
import { testConfig, testRegistry } from '../helpers/config';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { openTestStateDb } from '../helpers/stateDb';

routeInfluxClientLogs(silentLogger());

const ZONE = 'Asia/Shanghai';
const T0 = Date.parse('2026-10-12T01:00:00+08:00'); // an hour boundary inside the local day
const DAY = { from: Date.parse('2026-10-12T00:00:00+08:00'), to: Date.parse('2026-10-13T00:00:00+08:00') };
const NOW = Date.parse('2026-10-20T00:00:00+08:00');
const min = (m: number): number => T0 + m * 60_000;
const KEY = { enterprise: 'alu01', meter: 'e-main' }; // counter, multiplier 2, rollover 1000
const r = (m: number, value: number): Reading => ({ ...KEY, ts: min(m), value, quality: 'good' });
const config = testConfig();

interface Running {
  store: TimeSeriesStore;
  events: MeterEventStore;
  tracker: ConsumptionTracker;
  service: MeterEventService;
  stop(): Promise<void>;
}

/** `dir` holds the state database (state.db); a second run on it is a restart. */
async function run(openStore: () => Promise<TimeSeriesStore>, dir: string): Promise<Running> {
  const store = await openStore();
  const db = await openTestStateDb(dir);
  const events = new MeterEventStore(db);
  const meters = testRegistry(config);
  const tracker = new ConsumptionTracker({ store, meters });
  const service = new MeterEventService({ events, meters, tracker, store, bus: new EventBus(silentLogger()), now: () => NOW });
  await service.start();
  return {
    store,
    events,
    tracker,
    service,
    stop: async () => {
      await db.close();
      await store.stop();
    },
  };
}

async function figures(app: Running): Promise<{ hours: Map<number, number>; day: number }> {
  await app.store.settleRollups();
  const rows = await app.store.hourly(KEY, min(-60), min(360));
  const day = await app.store.consumption({ enterprises: ['alu01'], from: DAY.from, to: DAY.to, every: '1d', zone: ZONE, meters: [KEY] });
  return { hours: new Map(rows.map((h) => [h.hour, h.quantity])), day: day.reduce((s, x) => s + x.quantity, 0) };
}

function scenario(name: string, open: (dir: string) => () => Promise<TimeSeriesStore>): void {
  it(`${name}: a replacement is recomputed, retracted, and survives a restart`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'meter-events-'));
    const openStore = open(dir);
    let app = await run(openStore, dir);
    try {
      // 01:00 900, 02:00 950, 03:00 10, 04:00 30 (local). Without an event 950 -> 10 wraps:
      // hours 100 + (1000 - 950 + 10) x 2 = 120 + 40: day 260.
      await app.tracker.track([r(0, 900), r(60, 950), r(120, 10), r(180, 30)]);
      expect((await figures(app)).day).toBeCloseTo(260, 6);

      // Replaced at 02:30 (old final 960, new initial 0): 100 + (20 + 20) + 40 = day 180.
      const e = await app.service.record(
        'alu01',
        'e-main',
        { type: 'replace', at: min(90), oldFinalRegister: 960, newInitialRegister: 0 },
        'officer',
      );
      let f = await figures(app);
      expect(f.hours.get(min(60))).toBeCloseTo(40, 6);
      expect(f.day).toBeCloseTo(180, 6);

      await app.service.retract('alu01', 'e-main', e.id, 'admin');
      f = await figures(app);
      expect(f.hours.get(min(60))).toBeCloseTo(120, 6);
      expect(f.day).toBeCloseTo(260, 6);
      expect((await app.service.list('alu01', 'e-main'))[0]).toMatchObject({ id: e.id, retractedBy: 'admin' });

      await app.service.record('alu01', 'e-main', { type: 'replace', at: min(90), oldFinalRegister: 960, newInitialRegister: 0 }, 'officer');
      expect((await figures(app)).day).toBeCloseTo(180, 6);

      // Restart on the same data: the event is loaded before any reading is evaluated.
      await app.stop();
      app = await run(openStore, dir);
      // In order: 05:00 35 -> (35 - 30) x 2 = 10. Late across the event: 02:45 4 on the new meter:
      // hour 02: 20 + (4 - 0) x 2 + (10 - 4) x 2 = 40 again. Day 190.
      await app.tracker.track([r(240, 35)]);
      await app.tracker.track([r(105, 4)]);
      f = await figures(app);
      expect(f.hours.get(min(60))).toBeCloseTo(40, 6);
      expect(f.hours.get(min(180))).toBeCloseTo(10, 6); // 04:00-05:00
      expect(f.day).toBeCloseTo(190, 6);
      expect(f.hours.get(min(60))! + f.hours.get(min(0))! + f.hours.get(min(120))! + f.hours.get(min(180))!).toBeCloseTo(190, 6);
    } finally {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
}

describe('meter events on the SQLite store', () => {
  scenario('sqlite', (dir) => async () => {
    const store = new SqliteTimeSeriesStore({ path: path.join(dir, 'timeseries.db'), zone: ZONE });
    await store.start();
    return store;
  });
});

const influxAvailable = findInfluxd() !== undefined || process.env.CI === 'true';
(influxAvailable ? describe : describe.skip)('meter events on influxd 1.x', () => {
  let influxd: InfluxdHandle;
  beforeAll(async () => {
    const started = await startInfluxd();
    if (started === undefined) throw new Error('influxd did not start');
    influxd = started;
  }, 30_000);
  afterAll(async () => {
    await influxd?.stop();
  });
  scenario('influx', () => async () => {
    const store = new InfluxTimeSeriesStore({ url: influxd.url, database: 'meter_events', zone: ZONE }, { logger: silentLogger() });
    await store.start();
    return store;
  });
});
