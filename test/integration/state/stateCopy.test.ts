/**
 * state:copy against a real PostgreSQL: a SQLite state with rows in every state table (plain SQL,
 * ids with gaps) is copied, read back through PostgresStateDb table by table and row by row (ids
 * equal), new rows continue after the copied ids, and a second copy into the non-empty target is
 * refused with nothing written.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCopyState } from '../../../services/cli/copyState';
import { PostgresStateDb } from '../../../services/store/state/db/postgresStateDb';
import type { SqlExecutor, StateDb } from '../../../services/store/state/db/sqlExecutor';
import { SqliteStateDb } from '../../../services/store/state/db/sqliteStateDb';
import { copyStateTables, StateCopyError, withSqliteSnapshot } from '../../../services/store/state/db/stateCopy';
import { STATE_MIGRATIONS, STATE_TABLES } from '../../../services/store/state/db/stateSchema';
import { findPostgres, startPostgres, type PostgresHandle } from '../../helpers/postgres';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** One or more rows in every state table; ids with gaps (deleted rows, an explicit id). */
async function seed(db: SqlExecutor): Promise<void> {
  const run = (sql: string, params: (string | number | null)[]) => db.run(sql, params);
  for (const [i, source] of ['ref-a', null, 'ref-c'].entries())
    await run(
      'INSERT INTO quarantine (topic, payload, reason, detail, received_at, enterprise, meter, client_id, status, attempts, replayed_at, source_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        `energy/e${i}/m1`,
        '{"v": 1.5}',
        'schema',
        `bad ${i}`,
        T0 + i,
        i === 1 ? null : 'e1',
        'm1',
        'gw',
        i === 2 ? 'replayed' : 'open',
        i,
        i === 2 ? T0 + 99 : null,
        source,
      ],
    );
  await run('INSERT INTO data_quality_event (kind, enterprise, meter, ts, detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)', [
    'gap',
    'e1',
    'm1',
    T0,
    null,
    T0 + 1,
  ]);
  for (let i = 1; i <= 4; i++)
    await run(
      'INSERT INTO alarm (type, enterprise, meter, severity, state, value, threshold, unit, period_from, period_to, basis, message, raised_at, updated_at, cleared_at, ack_at, ack_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        `t${i}`,
        'e1',
        i === 3 ? null : 'm1',
        'warning',
        i === 1 ? 'cleared' : 'open',
        1234.5678 + i,
        1000,
        'kWh',
        '2026-01',
        '2026-02',
        'month',
        `alarm ${i}`,
        T0 + i,
        T0 + i,
        i === 1 ? T0 + 50 : null,
        i === 2 ? T0 + 60 : null,
        i === 2 ? 'operator' : null,
      ],
    );
  await run('DELETE FROM alarm WHERE id = 3', []);
  await run(
    "INSERT INTO alarm (id, type, enterprise, meter, severity, state, message, raised_at, updated_at) VALUES (17, 'late', 'e2', NULL, 'critical', 'open', 'explicit id', ?, ?)",
    [T0, T0],
  );
  await run('INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (?, ?, ?, ?, ?)', [
    2,
    'ack',
    'operator',
    T0 + 60,
    'looked at it, pump replaced',
  ]);
  await run('INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (?, ?, ?, ?, ?)', [2, 'note', 'manager', T0 + 70, '中文备注 ok']);
  await run('INSERT INTO delivery (channel, target, subject, alarm_ids, status, attempts, last_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    'mail',
    'a@b.c',
    'Alarm',
    '[1,2]',
    'failed',
    3,
    'timeout',
    T0,
  ]);
  await run('INSERT INTO meter_baseline (enterprise, meter, kind, multiplier, rollover, first_seen_at, unit) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    'e1',
    'm1',
    'cumulative',
    0.25,
    99999.9,
    T0,
    'kWh',
  ]);
  await run('INSERT INTO meter_baseline (enterprise, meter, kind, multiplier, rollover, first_seen_at, unit) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    'e1',
    'm2',
    'interval',
    1,
    null,
    T0,
    null,
  ]);
  await run('INSERT INTO meter_baseline (enterprise, meter, kind, multiplier, rollover, first_seen_at, unit) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    'e2',
    'm1',
    'interval',
    2,
    null,
    T0,
    'MWh',
  ]);
  await run(
    'INSERT INTO meter_event (enterprise, meter, type, at, body, recorded_by, recorded_at, retracted_by, retracted_at, pending, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ['e1', 'm1', 'replacement', T0, '{"newMultiplier":2}', 'operator', T0 + 5, 'manager', T0 + 9, 0, T0 + 9],
  );
  await run(
    'INSERT INTO meter_event (enterprise, meter, type, at, body, recorded_by, recorded_at, retracted_by, retracted_at, pending, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ['e1', 'm1', 'reset', T0 + 1000, '{}', 'operator', T0 + 1005, null, null, 1, T0 + 1005],
  );
  for (const [enterprise, month, version] of [
    ['e1', '2026-01', 1],
    ['e1', '2026-01', 2],
    ['e1', '2026-02', 1],
    ['e2', '2026-01', 1],
  ] as const)
    await run('INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)', [
      enterprise,
      month,
      version,
      JSON.stringify({ outputValue10kYuan: 12.34 * version }),
      'operator',
      T0 + version,
    ]);
  for (const revision of [1, 2])
    await run(
      'INSERT INTO report_snapshot (month, revision, sha256, content_hash, json, created_at, note, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        '2026-01',
        revision,
        `sha${revision}`,
        `hash${revision}`,
        '{"report":true}',
        T0 + revision,
        revision === 2 ? 'late data' : null,
        revision === 2 ? '["meter event"]' : null,
      ],
    );
  await run('INSERT INTO report_mark (month, kind, marked_at) VALUES (?, ?, ?)', ['2026-01', 'dirty', T0]);
  await run('INSERT INTO report_building (month, started_at) VALUES (?, ?)', ['2026-02', T0]);
  await run('INSERT INTO report_setting (name, value) VALUES (?, ?)', ['pdfFont', 'noto']);
  await run('INSERT INTO report_download (at, who, role, scope, month, revision, format, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    T0,
    'viewer',
    'viewer',
    'district',
    '2026-01',
    2,
    'pdf',
    'sha2',
  ]);
  await run('INSERT INTO leases (name, holder, expires_at, token) VALUES (?, ?, ?, ?)', ['rules', 'host-a', T0, 3]);
}

const ORDER: Record<string, string> = {
  meter_baseline: 'enterprise, meter',
  monthly_statistics: 'enterprise, month, version',
  report_snapshot: 'month, revision',
  report_setting: 'name',
};
const rowsOf = (db: SqlExecutor, table: string) => db.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${ORDER[table] ?? 'id'}`);

const pgInstalled = process.env.CI === 'true' || findPostgres() !== undefined;
(pgInstalled ? describe : describe.skip)('state:copy SQLite -> PostgreSQL', () => {
  let server: PostgresHandle;
  let dir: string;
  let file: string;
  let serial = 0;
  const open: StateDb[] = [];

  const started = async <D extends StateDb>(db: D): Promise<D> => {
    await db.start();
    open.push(db);
    return db;
  };

  beforeAll(async () => {
    server = (await startPostgres())!;
    dir = mkdtempSync(path.join(tmpdir(), 'state-copy-'));
    file = path.join(dir, 'state.db');
    const sqlite = new SqliteStateDb(file);
    await sqlite.start();
    await seed(sqlite);
    await sqlite.stop();
  });

  afterEach(async () => {
    for (const db of open.splice(0)) await db.stop();
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every state table row for row, ids kept, new ids after them; a second copy is refused', async () => {
    const url = await server.createDatabase(`copy_${++serial}`);
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
    expect(await runCopyState(['--from', file, '--to', url], io)).toBe(0);
    expect(err).toEqual([]);
    const printed = out.join('');
    expect(printed).toMatch(/alarm\s+read 4, written 4/);
    expect(printed).toMatch(/monthly_statistics\s+read 4, written 4/);
    expect(printed).toMatch(/copied 26 rows; every table's counts match/);
    // the snapshot directory next to the file is gone
    expect(readdirSync(dir).filter((f) => f.startsWith('.state-copy-'))).toEqual([]);

    const source = await started(new SqliteStateDb(file));
    const target = await started(new PostgresStateDb(url));
    expect(target.schemaVersion).toBe(STATE_MIGRATIONS.length);
    for (const table of STATE_TABLES) {
      const want = await rowsOf(source, table);
      expect(want.length).toBeGreaterThan(0);
      expect({ table, rows: await rowsOf(target, table) }).toEqual({ table, rows: want });
    }
    expect((await rowsOf(target, 'alarm')).map((a) => a.id)).toEqual([1, 2, 4, 17]);
    // the lease is live state: not copied
    expect(await target.all('SELECT * FROM leases')).toEqual([]);

    // new rows continue after the copied ids
    const fresh = await target.get<{ id: number }>(
      "INSERT INTO alarm (type, enterprise, severity, state, message, raised_at, updated_at) VALUES ('new', 'e9', 'info', 'open', 'after copy', ?, ?) RETURNING id",
      [T0, T0],
    );
    expect(fresh?.id).toBe(18);
    const note = await target.get<{ id: number }>(
      "INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (18, 'ack', 'x', ?, 'y') RETURNING id",
      [T0],
    );
    expect(note?.id).toBe(3);
    const mark = await target.get<{ id: number }>("INSERT INTO report_mark (month, kind, marked_at) VALUES ('2026-03', 'dirty', ?) RETURNING id", [
      T0,
    ]);
    expect(mark?.id).toBe(2);

    // a second copy into the now non-empty target: refused, nothing written
    const before = await rowsOf(target, 'alarm');
    out.length = 0;
    expect(await runCopyState(['--from', file, '--to', url], io)).toBe(1);
    expect(err.join('')).toMatch(/already holds state \(quarantine: 3 rows, .*alarm: 5 rows.*\).*empty database/);
    expect(await rowsOf(target, 'alarm')).toEqual(before);
  });

  it('pages through every table in small batches; an empty table keeps its identity at 1', async () => {
    const target = await started(new PostgresStateDb(await server.createDatabase(`copy_${++serial}`)));
    const seen: string[] = [];
    const counts = await withSqliteSnapshot(file, async (source) => {
      await source.run('DELETE FROM report_download');
      return copyStateTables(source, target, { batchSize: 2, onTable: (c) => seen.push(c.table) });
    });
    expect(seen).toEqual([...STATE_TABLES]);
    expect(counts.find((c) => c.table === 'monthly_statistics')).toEqual({ table: 'monthly_statistics', read: 4, written: 4 });
    expect(counts.find((c) => c.table === 'meter_baseline')).toEqual({ table: 'meter_baseline', read: 3, written: 3 });
    expect(counts.find((c) => c.table === 'report_download')).toEqual({ table: 'report_download', read: 0, written: 0 });
    const source = await started(new SqliteStateDb(file));
    for (const table of ['monthly_statistics', 'meter_baseline', 'report_snapshot', 'alarm'])
      expect({ table, rows: await rowsOf(target, table) }).toEqual({ table, rows: await rowsOf(source, table) });
    // the snapshot was private: the source file still has its download row
    expect(await source.all('SELECT id FROM report_download')).toEqual([{ id: 1 }]);
    const first = await target.get<{ id: number }>(
      "INSERT INTO report_download (at, who, role, scope, month, revision, format, sha256) VALUES (?, 'v', 'viewer', 'district', '2026-01', 1, 'pdf', 's') RETURNING id",
      [T0],
    );
    expect(first?.id).toBe(1);
  });

  it('copies an unversioned SQLite file from before migrations (columns added, old outputs carried over)', async () => {
    const old = path.join(dir, 'old.db');
    const raw = new Database(old);
    raw.exec(`CREATE TABLE alarm (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT,
      severity TEXT NOT NULL, state TEXT NOT NULL, value REAL, threshold REAL, unit TEXT, period_from TEXT, period_to TEXT, basis TEXT,
      message TEXT NOT NULL, raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, cleared_at INTEGER, ack_at INTEGER, ack_by TEXT);
      CREATE TABLE meter_baseline (enterprise TEXT NOT NULL, meter TEXT NOT NULL, kind TEXT NOT NULL, multiplier REAL NOT NULL, rollover REAL,
      first_seen_at INTEGER NOT NULL, PRIMARY KEY (enterprise, meter));
      CREATE TABLE output_value (enterprise TEXT NOT NULL, month TEXT NOT NULL, value_10k_yuan REAL NOT NULL, entered_by TEXT NOT NULL, entered_at INTEGER NOT NULL);
      INSERT INTO alarm (id, type, enterprise, severity, state, message, raised_at, updated_at) VALUES (5, 'quota', 'e1', 'warning', 'open', 'old', ${T0}, ${T0});
      INSERT INTO meter_baseline VALUES ('e1', 'm1', 'cumulative', 1.5, NULL, ${T0});
      INSERT INTO output_value VALUES ('e1', '2025-12', 321.5, 'clerk', ${T0});`);
    raw.close();
    const url = await server.createDatabase(`copy_${++serial}`);
    const io = { stdout: () => undefined, stderr: (t: string) => console.error(t) };
    expect(await runCopyState(['--from', old, '--to', url], io)).toBe(0);
    // migrated on the private copy only: the file stays readable by the release that wrote it
    const after = new Database(old, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").all()).toEqual([]);
    after.close();
    const target = await started(new PostgresStateDb(url));
    expect(await target.all('SELECT id, type FROM alarm')).toEqual([{ id: 5, type: 'quota' }]);
    expect(await target.all('SELECT enterprise, meter, multiplier, unit FROM meter_baseline')).toEqual([
      { enterprise: 'e1', meter: 'm1', multiplier: 1.5, unit: null },
    ]);
    expect(await target.all('SELECT enterprise, month, version, fields, recorded_by FROM monthly_statistics')).toEqual([
      { enterprise: 'e1', month: '2025-12', version: 1, fields: '{"outputValue10kYuan":321.5}', recorded_by: 'clerk' },
    ]);
  });

  it('refuses a missing source file and a target that is not PostgreSQL, without creating anything', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => err.push(t) };
    const missing = path.join(dir, 'nope', 'state.db');
    expect(await runCopyState(['--from', missing, '--to', server.url('postgres')], io)).toBe(1);
    expect(err.join('')).toContain('does not exist');
    expect(readdirSync(dir)).not.toContain('nope');
    expect(await runCopyState(['--from', file, '--to', 'mysql://x@y/z'], io)).toBe(2);
    expect(await runCopyState(['--from', file], io)).toBe(2);
    expect(err.join('')).toContain('--to <postgres://...> is required');
  });

  it('a target already holding rows is refused with a typed error', async () => {
    const target = await started(new PostgresStateDb(await server.createDatabase(`copy_${++serial}`)));
    await target.run("INSERT INTO report_setting (name, value) VALUES ('x', 'y')");
    await expect(withSqliteSnapshot(file, (source) => copyStateTables(source, target))).rejects.toBeInstanceOf(StateCopyError);
    expect(await target.get<{ n: number }>('SELECT COUNT(*) AS n FROM alarm')).toEqual({ n: 0 });
  });
});
