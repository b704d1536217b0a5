/**
 * state:backup while the service writes: a writer in another process (as the service would be)
 * keeps committing transactions that each add an acknowledged alarm with its note, the next
 * monthly statistics version, the next report revision and a meter event. The backup (SQLite's
 * online backup; pg_dump) is restored into a fresh file / database, which starts and migrates
 * cleanly, holds at least what existed before the backup began, and is consistent: whole writer
 * transactions only (one of each per transaction), versions and revisions without gaps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { runBackupState } from '../../../services/cli/backupState';
import { PostgresStateDb } from '../../../services/store/state/db/postgresStateDb';
import type { SqlExecutor, StateDb } from '../../../services/store/state/db/sqlExecutor';
import { SqliteStateDb } from '../../../services/store/state/db/sqliteStateDb';
import { STATE_MIGRATIONS } from '../../../services/store/state/db/stateSchema';
import { findPostgres, startPostgres, type PostgresHandle } from '../../helpers/postgres';

const ROOT = path.resolve(__dirname, '../../..');

/** The writer, run with `node --require tsx/cjs -e` on the real executors: argv engine, location. */
const WRITER = `
const [engine, where] = process.argv.slice(1);
const mod = engine === 'sqlite' ? require(${JSON.stringify(path.join(ROOT, 'services/store/state/db/sqliteStateDb.ts'))}).SqliteStateDb
  : require(${JSON.stringify(path.join(ROOT, 'services/store/state/db/postgresStateDb.ts'))}).PostgresStateDb;
const db = new mod(where);
let stop = false;
process.on('SIGTERM', () => { stop = true; });
(async () => {
  await db.start();
  let i = 0;
  while (!stop) {
    i++;
    await db.transaction(async (tx) => {
      const at = 1767225600000 + i;
      const alarm = await tx.get("INSERT INTO alarm (type, enterprise, meter, severity, state, value, message, raised_at, updated_at, ack_at, ack_by) VALUES ('writer', 'e1', ?, 'warning', 'open', ?, 'w', ?, ?, ?, 'operator') RETURNING id", ['m' + i, i + 0.25, at, at, at]);
      await tx.run("INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (?, 'ack', 'operator', ?, ?)", [alarm.id, at, 'ack of ' + i]);
      const v = await tx.get("SELECT COALESCE(MAX(version), 0) AS v FROM monthly_statistics WHERE enterprise = 'e1' AND month = '2026-01'");
      await tx.run("INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES ('e1', '2026-01', ?, ?, 'clerk', ?)", [Number(v.v) + 1, JSON.stringify({ outputValue10kYuan: i }), at]);
      const r = await tx.get("SELECT COALESCE(MAX(revision), 0) AS r FROM report_snapshot WHERE month = '2026-01'");
      await tx.run("INSERT INTO report_snapshot (month, revision, sha256, content_hash, json, created_at) VALUES ('2026-01', ?, 's', 'h', '{}', ?)", [Number(r.r) + 1, at]);
      await tx.run("INSERT INTO meter_event (enterprise, meter, type, at, body, recorded_by, recorded_at, changed_at) VALUES ('e1', 'm1', 'reset', ?, '{}', 'operator', ?, ?)", [at, at, at]);
    }, { lock: 'writer' });
    if (i === 1) process.stdout.write('started\\n');
    // better-sqlite3 is synchronous: without a turn of the event loop SIGTERM would never be seen
    await new Promise((resolve) => setImmediate(resolve));
  }
  await db.stop();
  process.stdout.write('wrote ' + i + '\\n');
})().catch((err) => { process.stderr.write(String(err && err.stack || err)); process.exit(3); });
`;

interface Writer {
  readonly child: ChildProcess;
  stop(): Promise<number>;
}

async function startWriter(engine: 'sqlite' | 'postgres', where: string): Promise<Writer> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', WRITER, engine, where], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('started')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`writer did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`writer exited with ${code}: ${err}`);
      return Number(/wrote (\d+)/.exec(out)?.[1]);
    },
  };
}

interface Counts {
  alarm: number;
  alarm_note: number;
  monthly_statistics: number;
  report_snapshot: number;
  meter_event: number;
}

async function counts(db: SqlExecutor): Promise<Counts> {
  const n = async (table: string) => Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
  return {
    alarm: await n('alarm'),
    alarm_note: await n('alarm_note'),
    monthly_statistics: await n('monthly_statistics'),
    report_snapshot: await n('report_snapshot'),
    meter_event: await n('meter_event'),
  };
}

/** Whole writer transactions only: one of each per transaction, notes on their alarms, no gaps. */
async function expectConsistent(db: StateDb, before: Counts): Promise<void> {
  expect(db.schemaVersion).toBe(STATE_MIGRATIONS.length);
  const c = await counts(db);
  expect(c.alarm).toBeGreaterThanOrEqual(before.alarm);
  expect(c).toEqual({ alarm: c.alarm, alarm_note: c.alarm, monthly_statistics: c.alarm, report_snapshot: c.alarm, meter_event: c.alarm });
  const orphans = await db.all(
    "SELECT a.id FROM alarm a LEFT JOIN alarm_note n ON n.alarm_id = a.id AND n.kind = 'ack' WHERE a.ack_at IS NOT NULL AND n.id IS NULL",
  );
  expect(orphans).toEqual([]);
  const notes = await db.all<{ text: string; meter: string }>(
    'SELECT n.text, a.meter FROM alarm_note n JOIN alarm a ON a.id = n.alarm_id ORDER BY n.id',
  );
  expect(notes.every((r) => r.text === `ack of ${r.meter.slice(1)}`)).toBe(true);
  const versions = await db.all<{ version: number }>(
    "SELECT version FROM monthly_statistics WHERE enterprise = 'e1' AND month = '2026-01' ORDER BY version",
  );
  expect(versions.map((v) => v.version)).toEqual(Array.from({ length: c.alarm }, (_, i) => i + 1));
  const revisions = await db.all<{ revision: number }>("SELECT revision FROM report_snapshot WHERE month = '2026-01' ORDER BY revision");
  expect(revisions.map((r) => r.revision)).toEqual(Array.from({ length: c.alarm }, (_, i) => i + 1));
  const last = await db.get<{ value: number }>('SELECT value FROM alarm ORDER BY id DESC LIMIT 1');
  expect(last?.value).toBe(c.alarm + 0.25);
}

/** Waits until the live database has more writer transactions than `than` (the writer outlived the backup). */
async function until(db: SqlExecutor, than: number): Promise<void> {
  while ((await counts(db)).alarm <= than) await new Promise((r) => setTimeout(r, 20));
}

describe('state:backup on SQLite while the service writes', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('online backup, restored into a fresh file: starts, migrates, whole transactions, at least the rows before', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'state-backup-'));
    const dataDir = path.join(dir, 'data');
    const live = new SqliteStateDb(path.join(dataDir, 'state.db'));
    await live.start();
    const writer = await startWriter('sqlite', path.join(dataDir, 'state.db'));
    let restored: SqliteStateDb | undefined;
    try {
      await until(live, 20);
      const before = await counts(live);
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: dir };
      expect(await runBackupState(['--out', 'backup/state-1.db'], { DATA_DIR: 'data' }, io)).toBe(1); // no such folder yet
      mkdirSync(path.join(dir, 'backup'));
      err.length = 0;
      expect(await runBackupState(['--out', 'backup/state-1.db'], { DATA_DIR: 'data' }, io)).toBe(0);
      expect(err).toEqual([]);
      expect(out.join('')).toMatch(new RegExp(`schema version ${STATE_MIGRATIONS.length}, integrity ok`));
      expect(existsSync(path.join(dir, 'backup/state-1.db.partial'))).toBe(false);
      await until(live, (await counts(live)).alarm + 5);
      // never overwrites
      expect(await runBackupState(['--out', 'backup/state-1.db'], { DATA_DIR: 'data' }, io)).toBe(1);
      expect(err.join('')).toMatch(/exists: choose a new file name/);
      const wrote = await writer.stop();

      // the documented restore: the backup in place of state.db, no -wal/-shm beside it, start
      const restoreDir = path.join(dir, 'restored');
      mkdirSync(restoreDir);
      copyFileSync(path.join(dir, 'backup/state-1.db'), path.join(restoreDir, 'state.db'));
      restored = new SqliteStateDb(path.join(restoreDir, 'state.db'));
      await restored.start();
      await expectConsistent(restored, before);
      expect((await counts(restored)).alarm).toBeLessThan(wrote);
    } finally {
      if (writer.child.exitCode === null) await writer.stop();
      await restored?.stop();
      await live.stop();
    }
  });
});

const pgInstalled = process.env.CI === 'true' || findPostgres() !== undefined;
(pgInstalled ? describe : describe.skip)('state:backup on PostgreSQL while the service writes', () => {
  let server: PostgresHandle;
  let dir: string;
  beforeAll(async () => {
    server = (await startPostgres())!;
    dir = mkdtempSync(path.join(tmpdir(), 'state-backup-pg-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pg_dump while writing, pg_restore into a fresh database and over the old one: consistent, migrated', async () => {
    const url = await server.createDatabase('live');
    const live = new PostgresStateDb(url);
    await live.start();
    const writer = await startWriter('postgres', url);
    const dbs: StateDb[] = [live];
    try {
      await until(live, 20);
      const before = await counts(live);
      const out: string[] = [];
      const err: string[] = [];
      const env = { DATABASE_URL: url, PATH: `${server.binDir}:${process.env.PATH ?? ''}` };
      const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), cwd: dir };
      expect(await runBackupState(['--out', 'state.dump', '--from', 'x.db'], env, io)).toBe(2);
      expect(await runBackupState(['--out', 'state.dump'], env, io)).toBe(0);
      expect(out.join('')).toMatch(/pg_dump custom format/);
      await until(live, (await counts(live)).alarm + 5);
      await writer.stop();

      const pgRestore = path.join(server.binDir, 'pg_restore');
      const restore = (target: string) => promisify(execFile)(pgRestore, ['--clean', '--if-exists', '-d', target, path.join(dir, 'state.dump')]);
      const freshUrl = await server.createDatabase('restored');
      await restore(freshUrl);
      const fresh = new PostgresStateDb(freshUrl);
      await fresh.start();
      dbs.push(fresh);
      await expectConsistent(fresh, before);
      const restoredAlarms = (await counts(fresh)).alarm;
      expect(restoredAlarms).toBeLessThan((await counts(live)).alarm);
      // new rows after a restore continue after the restored ids (the dump carries the sequences as pg_dump read them: ahead of its snapshot's rows, never behind)
      const next = await fresh.get<{ id: number }>(
        "INSERT INTO alarm (type, enterprise, severity, state, message, raised_at, updated_at) VALUES ('new', 'e2', 'info', 'open', 'x', 1, 1) RETURNING id",
      );
      expect(next?.id).toBeGreaterThan(Number((await fresh.get<{ m: number }>("SELECT MAX(id) AS m FROM alarm WHERE type = 'writer'"))?.m));

      // restoring over the live database itself (service stopped) takes it back to the backup
      await live.stop();
      dbs.shift();
      await restore(url);
      const back = new PostgresStateDb(url);
      await back.start();
      dbs.push(back);
      await expectConsistent(back, before);
      expect((await counts(back)).alarm).toBe(restoredAlarms);
    } finally {
      if (writer.child.exitCode === null) await writer.stop();
      for (const db of dbs) await db.stop();
    }
  });
});
