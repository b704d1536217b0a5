import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import { timeSeriesStoreContract } from './timeSeriesStore.contract';

// The same contract suite as InfluxDB (test/integration/influxTimeSeriesStore.test.ts).
timeSeriesStoreContract('SqliteTimeSeriesStore', async () => {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  return { store, cleanup: () => store.stop() };
});

describe('SqliteTimeSeriesStore rollup migration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ts-rollup-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rolls up on start a database written before the rollups existed', async () => {
    const file = path.join(dir, 'timeseries.db');
    // The schema and rows as the store wrote them before the rollup tables (day = local day start).
    const MAR1 = Date.parse('2026-03-01T00:00:00+08:00');
    const MAR2 = Date.parse('2026-03-02T00:00:00+08:00');
    const T0 = Date.parse('2026-03-01T23:00:00+08:00');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE reading (enterprise TEXT NOT NULL, meter TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, quality TEXT NOT NULL,
        PRIMARY KEY (enterprise, meter, ts)) WITHOUT ROWID;
      CREATE TABLE consumption (enterprise TEXT NOT NULL, meter TEXT NOT NULL, hour INTEGER NOT NULL, carrier TEXT NOT NULL, unit TEXT NOT NULL,
        quantity REAL NOT NULL, day INTEGER NOT NULL, PRIMARY KEY (enterprise, meter, hour)) WITHOUT ROWID;
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('zone', 'Asia/Shanghai');`);
    const hour = old.prepare("INSERT INTO consumption VALUES ('alu01', 'e-main', ?, 'electricity', 'kWh', ?, ?)");
    hour.run(T0, 7.5, MAR1);
    hour.run(T0 + 3_600_000, 2.5, MAR2);
    hour.run(T0 + 7_200_000, 1, MAR2);
    const reading = old.prepare("INSERT INTO reading VALUES ('alu01', 'e-main', ?, ?, ?)");
    reading.run(T0, 1, 'good');
    reading.run(T0 + 3_600_000, 2, 'bad');
    reading.run(T0 + 4_500_000, 3, 'uncertain');
    old.close();

    const store = new SqliteTimeSeriesStore({ path: file, zone: 'Asia/Shanghai' });
    await store.start();
    try {
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT day, quantity FROM consumption_daily ORDER BY day').all()).toEqual([
        { day: MAR1, quantity: 7.5 },
        { day: MAR2, quantity: 3.5 },
      ]);
      expect(db.prepare('SELECT day, usable FROM reading_daily ORDER BY day').all()).toEqual([
        { day: MAR1, usable: 1 },
        { day: MAR2, usable: 1 },
      ]);
      db.close();
      const days = { enterprises: ['alu01'], from: MAR1, to: MAR2 + 86_400_000, every: '1d', zone: 'Asia/Shanghai' } as const;
      expect((await store.consumption(days)).map((r) => [r.time, r.quantity])).toEqual([
        [MAR1, 7.5],
        [MAR2, 3.5],
      ]);
      expect(await store.countUsable(['alu01'], MAR1, MAR2 + 86_400_000)).toEqual([{ enterprise: 'alu01', meter: 'e-main', count: 2 }]);
    } finally {
      await store.stop();
    }
  });
});
