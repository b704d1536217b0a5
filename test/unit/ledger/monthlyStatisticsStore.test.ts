import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';

describe('MonthlyStatisticsStore', () => {
  let dir: string;
  let file: string;
  let store: MonthlyStatisticsStore;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'monthly-'));
    file = path.join(dir, 'state.db');
    store = new MonthlyStatisticsStore({ path: file });
    await store.start();
  });
  afterEach(async () => {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a new version per put: a present key replaces, null clears, an absent key keeps', () => {
    const v1 = store.put('alu01', '2026-03', { outputValue10kYuan: 4321.5, note: 'first' }, 'officer', 1000);
    expect(v1).toEqual({
      enterprise: 'alu01',
      month: '2026-03',
      version: 1,
      recordedBy: 'officer',
      recordedAt: 1000,
      outputValue10kYuan: 4321.5,
      note: 'first',
    });
    const v2 = store.put('alu01', '2026-03', { note: null, products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } } }, 'alu01-user', 2000);
    expect(v2).toEqual({
      enterprise: 'alu01',
      month: '2026-03',
      version: 2,
      recordedBy: 'alu01-user',
      recordedAt: 2000,
      outputValue10kYuan: 4321.5,
      products: { aluminium_liquid: { quantity: 5302.6, unit: 't' } },
    });
    expect(store.current('alu01', '2026-03')).toEqual(v2);
    // Version 1 is kept as it was.
    expect(store.history('alu01', '2026-03')).toEqual([v1, v2]);
    expect(store.current('alu01', '2026-04')).toBeUndefined();
    expect(store.history('alu01', '2026-04')).toEqual([]);
  });

  it('lists current versions in a month range, output values where set, and what changed since an instant', () => {
    store.put('alu01', '2026-01', { outputValue10kYuan: 100 }, 'a', 10);
    store.put('alu01', '2026-01', { outputValue10kYuan: 110 }, 'a', 20);
    store.put('alu01', '2026-02', { valueAdded10kYuan: 50 }, 'a', 30);
    store.put('cem01', '2026-02', { outputValue10kYuan: 7 }, 'b', 40);
    store.put('cem01', '2026-04', { outputValue10kYuan: 9 }, 'b', 50);
    expect(store.records(['alu01', 'cem01'], '2026-01', '2026-03').map((r) => [r.enterprise, r.month, r.version])).toEqual([
      ['alu01', '2026-01', 2],
      ['alu01', '2026-02', 1],
      ['cem01', '2026-02', 1],
    ]);
    expect(store.records([], '2026-01', '2026-12')).toEqual([]);
    expect(store.outputs(['alu01', 'cem01'], '2026-01', '2026-04')).toEqual([
      { enterprise: 'alu01', month: '2026-01', value10kYuan: 110 },
      { enterprise: 'cem01', month: '2026-02', value10kYuan: 7 },
      { enterprise: 'cem01', month: '2026-04', value10kYuan: 9 },
    ]);
    expect(store.recordedSince(30)).toEqual([
      { enterprise: 'alu01', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-02' },
      { enterprise: 'cem01', month: '2026-04' },
    ]);
  });

  it('putAll stores every entry or none', () => {
    store.put('alu01', '2026-01', { outputValue10kYuan: 1 }, 'a', 10);
    const bad = [
      { enterprise: 'alu01', month: '2026-01', patch: { outputValue10kYuan: 2 } },
      // A non-serialisable value makes the second insert throw inside the transaction.
      { enterprise: 'cem01', month: '2026-01', patch: { note: 1n as unknown as string } },
    ];
    expect(() => store.putAll(bad, 'b', 20)).toThrow();
    expect(store.history('alu01', '2026-01')).toHaveLength(1);
    expect(store.putAll(bad.slice(0, 1), 'b', 20).map((r) => r.version)).toEqual([2]);
  });

  it('carries the old output_value rows over as version 1, exactly once', async () => {
    await store.stop();
    rmSync(file);
    const old = new Database(file);
    old.exec(`CREATE TABLE output_value (enterprise TEXT NOT NULL, month TEXT NOT NULL, value_10k_yuan REAL NOT NULL, entered_by TEXT NOT NULL,
      entered_at INTEGER NOT NULL, PRIMARY KEY (enterprise, month)) WITHOUT ROWID`);
    old.prepare('INSERT INTO output_value VALUES (?, ?, ?, ?, ?)').run('alu01', '2025-12', 1229, 'officer', 777);
    old.close();

    store = new MonthlyStatisticsStore({ path: file });
    await store.start();
    expect(store.history('alu01', '2025-12')).toEqual([
      { enterprise: 'alu01', month: '2025-12', version: 1, recordedBy: 'officer', recordedAt: 777, outputValue10kYuan: 1229 },
    ]);
    store.put('alu01', '2025-12', { outputValue10kYuan: null }, 'admin', 900);
    await store.stop();
    store = new MonthlyStatisticsStore({ path: file });
    await store.start();
    // Not migrated again: the clear stays the current version and no third version appears.
    expect(store.history('alu01', '2025-12').map((r) => r.version)).toEqual([1, 2]);
    expect(store.outputs(['alu01'], '2025-01', '2025-12')).toEqual([]);
  });
});
