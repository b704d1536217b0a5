/**
 * Copies the state tables from one state database into another, empty one (the way from SQLite's
 * state.db to PostgreSQL): every table of STATE_TABLES, row by row in batches, ids preserved, all
 * in one transaction on the target, then PostgreSQL's identity sequences moved past the copied ids.
 * The lease is not copied: it is live state, taken again by whichever instance starts first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../core/errors';
import { backupSqlite } from './stateBackup';
import type { SqlExecutor, SqlValue } from './sqlExecutor';
import { SqliteStateDb } from './sqliteStateDb';
import { STATE_TABLES } from './stateSchema';

export type StateTable = (typeof STATE_TABLES)[number];

/**
 * Each table's primary key, the order rows are read in (keyset paging: a batch starts after the
 * previous batch's last key, so a large table is not re-scanned per batch as OFFSET would). A table
 * added to STATE_TABLES fails to compile here until its key is named.
 */
const KEYS: Readonly<Record<StateTable, readonly string[]>> = {
  quarantine: ['id'],
  data_quality_event: ['id'],
  alarm: ['id'],
  alarm_note: ['id'],
  delivery: ['id'],
  meter_baseline: ['enterprise', 'meter'],
  meter_event: ['id'],
  monthly_statistics: ['enterprise', 'month', 'version'],
  report_snapshot: ['month', 'revision'],
  report_mark: ['id'],
  report_building: ['id'],
  report_setting: ['name'],
  report_download: ['id'],
};

export interface TableCopyCount {
  readonly table: StateTable;
  readonly read: number;
  readonly written: number;
}

/** The copy was refused (target not empty) or did not add up; nothing was written to the target. */
export class StateCopyError extends AppError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('state-copy-failed', message, { context });
  }
}

export interface CopyOptions {
  /** Rows per read and per INSERT (PostgreSQL allows 65535 parameters per statement). */
  readonly batchSize?: number;
  /** Called after each table, with its counts (progress lines). */
  readonly onTable?: (count: TableCopyCount) => void;
}

type Row = Record<string, SqlValue>;

/** The state tables of `db` that hold rows, with their counts. */
export async function nonEmptyTables(db: SqlExecutor): Promise<{ table: StateTable; rows: number }[]> {
  const found: { table: StateTable; rows: number }[] = [];
  for (const table of STATE_TABLES) {
    const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
    if (Number(row?.n ?? 0) > 0) found.push({ table, rows: Number(row?.n) });
  }
  return found;
}

/**
 * Copies every state table of `source` (read in one transaction, so consistent) into `target` (one
 * transaction: all tables or none). Refuses a target whose state tables hold any row.
 */
export async function copyStateTables(source: SqlExecutor, target: SqlExecutor, options: CopyOptions = {}): Promise<TableCopyCount[]> {
  const batchSize = options.batchSize ?? 500;
  return source.transaction((src) =>
    target.transaction(
      async (dst) => {
        const occupied = await nonEmptyTables(dst);
        if (occupied.length > 0) {
          throw new StateCopyError(
            `the target database already holds state (${occupied.map((o) => `${o.table}: ${o.rows} rows`).join(', ')}), nothing was copied: ` +
              'copy into an empty database (e.g. `dropdb <name> && createdb <name>`, or CREATE DATABASE <new name> and point the URL at it)',
            { occupied },
          );
        }
        const counts: TableCopyCount[] = [];
        for (const table of STATE_TABLES) {
          const count = await copyTable(src, dst, table, batchSize);
          options.onTable?.(count);
          counts.push(count);
        }
        if (dst.dialect === 'postgres') await moveSequences(dst);
        return counts;
      },
      { lock: 'state copy' },
    ),
  );
}

async function copyTable(src: SqlExecutor, dst: SqlExecutor, table: StateTable, batchSize: number): Promise<TableCopyCount> {
  const key = KEYS[table];
  const order = key.join(', ');
  // Row values compare column by column in key order, on both engines, matching ORDER BY.
  const after = key.length === 1 ? `${key[0]} > ?` : `(${order}) > (${key.map(() => '?').join(', ')})`;
  const first = `SELECT * FROM ${table} ORDER BY ${order} LIMIT ?`;
  const next = `SELECT * FROM ${table} WHERE ${after} ORDER BY ${order} LIMIT ?`;
  let read = 0;
  let written = 0;
  let last: Row | undefined;
  for (;;) {
    const rows: Row[] =
      last === undefined ? await src.all<Row>(first, [batchSize]) : await src.all<Row>(next, [...key.map((k) => last![k] ?? null), batchSize]);
    if (rows.length === 0) break;
    read += rows.length;
    written += await insertRows(dst, table, rows);
    last = rows[rows.length - 1];
    if (rows.length < batchSize) break;
  }
  const total = Number((await src.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
  const landed = Number((await dst.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
  if (read !== total || written !== read || landed !== read) {
    throw new StateCopyError(`${table}: ${total} rows in the source, ${read} read, ${written} written, ${landed} in the target; nothing was copied`, {
      table,
      total,
      read,
      written,
      landed,
    });
  }
  return { table, read, written };
}

async function insertRows(dst: SqlExecutor, table: StateTable, rows: readonly Row[]): Promise<number> {
  const columns = Object.keys(rows[0]!);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const params: SqlValue[] = [];
  for (const row of rows) for (const c of columns) params.push(checkedValue(table, c, row[c]));
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
  return (await dst.run(sql, params)).changes;
}

/** The state schema has no BLOB column; anything else would be written wrongly, so it stops the copy. */
function checkedValue(table: string, column: string, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  throw new StateCopyError(`${table}.${column}: a value of type ${typeof value} cannot be copied`, { table, column });
}

/** New rows on PostgreSQL continue after the copied ids (an explicit id does not advance the identity). */
async function moveSequences(dst: SqlExecutor): Promise<void> {
  for (const table of STATE_TABLES) {
    if (KEYS[table].join() !== 'id') continue;
    await dst.get(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ${table}`);
  }
}

/**
 * A consistent private copy of a SQLite state file, migrated to the current schema, for reading
 * without holding the live file's write lock: copied with the online backup API, then opened with
 * SqliteStateDb, so that the migrations of an older file run on the copy (the original stays as it
 * was: still readable by the release that wrote it). The copy is deleted after `use`.
 */
export async function withSqliteSnapshot<T>(file: string, use: (db: SqliteStateDb) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(path.dirname(path.resolve(file)), '.state-copy-'));
  try {
    await backupSqlite(file, path.join(dir, 'state.db'));
    const copy = new SqliteStateDb(path.join(dir, 'state.db'));
    await copy.start();
    try {
      return await use(copy);
    } finally {
      await copy.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
