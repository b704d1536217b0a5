/**
 * MonthlyStatisticsStore's contract, held on SQLite and on PostgreSQL: every put is a new version
 * of the month built on the previous one (never an overwrite, never two of one number, also from
 * two connections or processes at once), putAll is all or nothing, reads pick current versions.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MonthlyRecord } from '../../../services/energy/monthlyStatistics';
import { SqliteStateDb } from '../../../services/store/state/db/sqliteStateDb';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { describeStateEngines, raceInTwoProcesses, stateModule } from '../../helpers/stateDb';

/** 2026-01-01T00:00:00+08:00: well past 2^32, as real timestamps are. */
const T0 = 1_767_196_800_000;

describeStateEngines('MonthlyStatisticsStore', (engine) => {
  it('makes a new version per put: a present key replaces, null clears, an absent key keeps', async () => {
    const store = new MonthlyStatisticsStore(await engine.fresh());
    const v1 = await store.put('alu01', '2026-03', { outputValue10kYuan: 4321.5, note: 'first' }, 'officer', 1000);
    expect(v1).toEqual({
      enterprise: 'alu01',
      month: '2026-03',
      version: 1,
      recordedBy: 'officer',
      recordedAt: 1000,
      outputValue10kYuan: 4321.5,
      note: 'first',
    });
    const v2 = await store.put(
      'alu01',
      '2026-03',
      { note: null, products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } } },
      'alu01-user',
      2000,
    );
    expect(v2).toEqual({
      enterprise: 'alu01',
      month: '2026-03',
      version: 2,
      recordedBy: 'alu01-user',
      recordedAt: 2000,
      outputValue10kYuan: 4321.5,
      products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } },
    });
    expect(await store.current('alu01', '2026-03')).toEqual(v2);
    // Version 1 is kept as it was.
    expect(await store.history('alu01', '2026-03')).toEqual([v1, v2]);
    expect(await store.current('alu01', '2026-04')).toBeUndefined();
    expect(await store.history('alu01', '2026-04')).toEqual([]);
    // Another enterprise's same month has its own versions.
    expect((await store.put('cem01', '2026-03', {}, 'b', 3000)).version).toBe(1);
    expect(await store.history('alu01', '2026-03')).toEqual([v1, v2]);
  });

  it('round-trips every field exactly: fractions, nested products and carriers, text, large timestamps; clearing all leaves none', async () => {
    const db = await engine.fresh();
    const store = new MonthlyStatisticsStore(db);
    const fields = {
      outputValue10kYuan: 0.1 + 0.2,
      valueAdded10kYuan: 1234567.891,
      products: { clinker: { quantity: 98765.4321, unit: 't' }, cement: { quantity: 0, unit: 't' } },
      carriers: { coal: { unit: 't', purchased: 1500.25, openingStock: 320.5, closingStock: 410.125 } },
      greenCertificatesKwh: 2_500_000,
      processCo2T: 1e-3,
      note: '复核: "quoted", 100% \\ ok',
    };
    const written = await store.put('cem01', '2026-01', fields, 'officer', T0 + 123);
    const expected: MonthlyRecord = { enterprise: 'cem01', month: '2026-01', version: 1, recordedBy: 'officer', recordedAt: T0 + 123, ...fields };
    expect(written).toEqual(expected);
    // Read back through another connection too: nothing is held in the instance.
    const there = new MonthlyStatisticsStore(await engine.reopen(db));
    expect(await there.current('cem01', '2026-01')).toStrictEqual(expected);
    expect((await there.records(['cem01'], '2026-01', '2026-01'))[0]).toStrictEqual(expected);

    const cleared = await store.put(
      'cem01',
      '2026-01',
      {
        outputValue10kYuan: null,
        valueAdded10kYuan: null,
        products: null,
        carriers: null,
        greenCertificatesKwh: null,
        processCo2T: null,
        note: null,
      },
      'admin',
      T0 + 456,
    );
    expect(cleared).toStrictEqual({ enterprise: 'cem01', month: '2026-01', version: 2, recordedBy: 'admin', recordedAt: T0 + 456 });
    expect(await there.current('cem01', '2026-01')).toStrictEqual(cleared);
  });

  it('lists current versions in a month range, output values where set, and what changed since an instant', async () => {
    const store = new MonthlyStatisticsStore(await engine.fresh());
    await store.put('alu01', '2026-01', { outputValue10kYuan: 100 }, 'a', 10);
    await store.put('alu01', '2026-01', { outputValue10kYuan: 110 }, 'a', 20);
    await store.put('alu01', '2026-02', { valueAdded10kYuan: 50 }, 'a', 30);
    await store.put('cem01', '2026-02', { outputValue10kYuan: 7 }, 'b', 40);
    await store.put('cem01', '2026-04', { outputValue10kYuan: 9 }, 'b', 50);
    await store.put('zzz99', '2026-02', { outputValue10kYuan: 1 }, 'c', 60);
    expect((await store.records(['alu01', 'cem01'], '2026-01', '2026-03')).map((r) => [r.enterprise, r.month, r.version])).toEqual([
      ['alu01', '2026-01', 2],
      ['alu01', '2026-02', 1],
      ['cem01', '2026-02', 1],
    ]);
    // Both bounds inclusive; one enterprise; an empty list.
    expect((await store.records(['cem01'], '2026-02', '2026-04')).map((r) => r.month)).toEqual(['2026-02', '2026-04']);
    expect(await store.records(['cem01'], '2026-03', '2026-03')).toEqual([]);
    expect(await store.records([], '2026-01', '2026-12')).toEqual([]);
    expect(await store.outputs(['alu01', 'cem01'], '2026-01', '2026-04')).toEqual([
      { enterprise: 'alu01', month: '2026-01', value10kYuan: 110 },
      { enterprise: 'cem01', month: '2026-02', value10kYuan: 7 },
      { enterprise: 'cem01', month: '2026-04', value10kYuan: 9 },
    ]);
    expect(await store.recordedSince(30)).toEqual([
      { enterprise: 'alu01', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-02' },
      { enterprise: 'zzz99', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-04' },
    ]);
    // A month with two versions since the instant is listed once.
    expect(await store.recordedSince(0)).toEqual([
      { enterprise: 'alu01', month: '2026-01' },
      { enterprise: 'alu01', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-02' },
      { enterprise: 'zzz99', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-04' },
    ]);
    expect(await store.recordedSince(61)).toEqual([]);
  });

  it('putAll stores every entry or none; within it a month put twice gets two versions', async () => {
    const store = new MonthlyStatisticsStore(await engine.fresh());
    await store.put('alu01', '2026-01', { outputValue10kYuan: 1 }, 'a', 10);
    const bad = [
      { enterprise: 'alu01', month: '2026-01', patch: { outputValue10kYuan: 2 } },
      // A non-serialisable value makes the second entry throw inside the transaction.
      { enterprise: 'cem01', month: '2026-01', patch: { note: 1n as unknown as string } },
    ];
    await expect(store.putAll(bad, 'b', 20)).rejects.toThrow();
    expect(await store.history('alu01', '2026-01')).toHaveLength(1);
    expect(await store.history('cem01', '2026-01')).toEqual([]);
    expect(await store.recordedSince(11)).toEqual([]);

    const stored = await store.putAll(
      [
        { enterprise: 'alu01', month: '2026-01', patch: { outputValue10kYuan: 2 } },
        { enterprise: 'cem01', month: '2026-01', patch: { note: 'import' } },
        { enterprise: 'alu01', month: '2026-01', patch: { valueAdded10kYuan: 0.75 } },
      ],
      'b',
      20,
    );
    expect(stored.map((r) => [r.enterprise, r.version])).toEqual([
      ['alu01', 2],
      ['cem01', 1],
      ['alu01', 3],
    ]);
    expect(await store.current('alu01', '2026-01')).toEqual({
      enterprise: 'alu01',
      month: '2026-01',
      version: 3,
      recordedBy: 'b',
      recordedAt: 20,
      outputValue10kYuan: 2,
      valueAdded10kYuan: 0.75,
    });
    expect(await store.putAll([], 'b', 30)).toEqual([]);
  });

  // Two hosts on PostgreSQL race in this process; on SQLite two processes race below, as
  // scaled-out instances on one host would.
  if (engine.name === 'postgres')
    it('concurrent puts to one month from two connections make versions 1 and 2, the second built on the first', async () => {
      const db = await engine.fresh();
      const first = new MonthlyStatisticsStore(db);
      const second = new MonthlyStatisticsStore(await engine.reopen(db));
      await Promise.all(
        MONTHS.map((month) =>
          Promise.all([
            first.put('alu01', month, { outputValue10kYuan: 10 }, 'instance-a', T0),
            second.put('alu01', month, { note: 'from b' }, 'instance-b', T0),
          ]),
        ),
      );
      await expectTwoVersions(first);
    });

  if (engine.name === 'sqlite')
    it('concurrent puts to one month from two processes make versions 1 and 2, the second built on the first', async () => {
      const db = await engine.fresh();
      // Both start their puts at the same instants, once their databases are open.
      const outputs = await raceInTwoProcesses(db.location, racer(), ['instance-a', 'instance-b']);
      for (const o of outputs) expect(JSON.parse(o)).toEqual(MONTHS.map(() => 'stored'));
      await expectTwoVersions(new MonthlyStatisticsStore(db));
    });
});

describe('MonthlyStatisticsStore on a SQLite file from before versioning', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'monthly-legacy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the old output_value rows over as version 1, exactly once, unless the month was entered since', async () => {
    const file = path.join(dir, 'state.db');
    const old = new Database(file);
    old.exec(`CREATE TABLE output_value (enterprise TEXT NOT NULL, month TEXT NOT NULL, value_10k_yuan REAL NOT NULL, entered_by TEXT NOT NULL,
      entered_at INTEGER NOT NULL, PRIMARY KEY (enterprise, month)) WITHOUT ROWID`);
    old.prepare('INSERT INTO output_value VALUES (?, ?, ?, ?, ?)').run('alu01', '2025-12', 1229.5, 'officer', 777);
    old.prepare('INSERT INTO output_value VALUES (?, ?, ?, ?, ?)').run('alu01', '2025-11', 1, 'officer', 700);
    // A release with monthly_statistics but before the carry-over: its entry of 2025-11 wins.
    old.exec(`CREATE TABLE monthly_statistics (enterprise TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL,
      fields TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL, PRIMARY KEY (enterprise, month, version)) WITHOUT ROWID`);
    old.prepare('INSERT INTO monthly_statistics VALUES (?, ?, 1, ?, ?, ?)').run('alu01', '2025-11', '{"outputValue10kYuan":2}', 'admin', 800);
    old.close();

    let db = new SqliteStateDb(file);
    await db.start();
    let store = new MonthlyStatisticsStore(db);
    expect(await store.history('alu01', '2025-12')).toEqual([
      { enterprise: 'alu01', month: '2025-12', version: 1, recordedBy: 'officer', recordedAt: 777, outputValue10kYuan: 1229.5 },
    ]);
    expect(await store.history('alu01', '2025-11')).toEqual([
      { enterprise: 'alu01', month: '2025-11', version: 1, recordedBy: 'admin', recordedAt: 800, outputValue10kYuan: 2 },
    ]);
    await store.put('alu01', '2025-12', { outputValue10kYuan: null }, 'admin', 900);
    await db.stop();

    db = new SqliteStateDb(file);
    await db.start();
    store = new MonthlyStatisticsStore(db);
    // Not carried over again: the clear stays the current version and no third version appears.
    expect((await store.history('alu01', '2025-12')).map((r) => r.version)).toEqual([1, 2]);
    expect(await store.outputs(['alu01'], '2025-01', '2025-12')).toEqual([{ enterprise: 'alu01', month: '2025-11', value10kYuan: 2 }]);
    await db.stop();
  });
});

/** Several months, each raced once, so that an unserialised version count would very likely clash or overwrite somewhere. */
const MONTHS = Array.from({ length: 10 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

/** Each month: versions 1 and 2, one per instance, and the current one holds both patches. */
async function expectTwoVersions(store: MonthlyStatisticsStore): Promise<void> {
  for (const month of MONTHS) {
    const history = await store.history('alu01', month);
    expect(history.map((r) => r.version)).toEqual([1, 2]);
    expect(history.map((r) => r.recordedBy).sort()).toEqual(['instance-a', 'instance-b']);
    expect(history[1]).toMatchObject({ outputValue10kYuan: 10, note: 'from b' });
  }
}

/** Another instance: puts its patch to every raced month through its own connection, prints what happened to each. */
function racer(): string {
  return `
    import { SqliteStateDb } from ${stateModule('db/sqliteStateDb')};
    import { MonthlyStatisticsStore } from ${stateModule('monthlyStatisticsStore')};
    const [file, who, startAt] = process.argv.slice(2);
    async function main(): Promise<void> {
      const db = new SqliteStateDb(file);
      await db.start();
      const store = new MonthlyStatisticsStore(db);
      // Warm up (statements prepared, file pages cached), so that both processes then go at one pace.
      await store.put('warm-up', '2000-01', {}, who, Date.now());
      await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now() - 20));
      const patch = who === 'instance-a' ? { outputValue10kYuan: 10 } : { note: 'from b' };
      const out: string[] = [];
      for (const [i, month] of ${JSON.stringify(MONTHS)}.entries()) {
        // Each month at its own instant, spun for the last milliseconds: both processes go within one.
        while (Date.now() < Number(startAt) + i * 50);
        try {
          await store.put('alu01', month, patch, who, ${T0});
          out.push('stored');
        } catch (err) {
          out.push(err instanceof Error ? err.message : String(err));
        }
      }
      await db.stop();
      process.stdout.write(JSON.stringify(out));
    }
    void main();
  `;
}
