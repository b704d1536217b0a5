/**
 * Backups of the state database while the service runs (docs/state.md): SQLite through its online
 * backup API, PostgreSQL through pg_dump's custom format (one snapshot transaction). Neither opens
 * the database as the service does: that would apply pending migrations, and a backup taken just
 * before an upgrade must hold the schema the older release can still read.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError, errorMessage } from '../../../core/errors';
import { redactedUrl } from './postgresStateDb';

const run = promisify(execFile);

/** The backup could not be taken (or was refused); no file was left at `out`. */
export class StateBackupError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('state-backup-failed', message, { cause });
  }
}

export interface SqliteBackupResult {
  readonly file: string;
  readonly bytes: number;
  /** Highest migration recorded in the copy (0: a file from before versioning). */
  readonly schemaVersion: number;
}

function refuseExisting(out: string): void {
  if (existsSync(out)) throw new StateBackupError(`${out} exists: choose a new file name (a backup never overwrites one)`);
}

/**
 * Copies the SQLite state `file` to `out` with SQLite's online backup, consistent while other
 * processes write (WAL: the copy's reader does not block them). Written as `<out>.partial` and
 * renamed once complete and checked (PRAGMA integrity_check), so `out` is never half a backup.
 */
export async function backupSqlite(file: string, out: string): Promise<SqliteBackupResult> {
  if (!existsSync(file)) throw new StateBackupError(`${file} does not exist (the SQLite state is DATA_DIR/state.db)`);
  refuseExisting(out);
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  try {
    const source = new Database(file, { fileMustExist: true, timeout: 5000 });
    try {
      // All remaining pages in one step: copied stepwise, every write by another connection
      // between two steps would restart the backup, and a busy service could keep it restarting.
      await source.backup(partial, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    const copy = new Database(partial, { fileMustExist: true });
    let schemaVersion = 0;
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new StateBackupError(`the copy of ${file} failed its integrity check: ${String(check)}`);
      const versioned = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      if (versioned !== undefined)
        schemaVersion = Number((copy.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0);
      // A self-contained file: the backup is not in WAL mode, but say so for whoever opens it.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    renameSync(partial, out);
    return { file: out, bytes: statSync(out).size, schemaVersion };
  } catch (err) {
    rmSync(partial, { force: true });
    if (err instanceof StateBackupError) throw err;
    throw new StateBackupError(`backup of ${file} failed: ${errorMessage(err)}`, err);
  }
}

/** Where a PostgreSQL client program is: PG_BIN, then PATH, then the newest /usr/lib/postgresql/<n>/bin. */
export function findPgTool(name: 'pg_dump' | 'pg_restore', env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [env.PG_BIN, ...(env.PATH ?? '').split(path.delimiter)].filter((d): d is string => d !== undefined && d !== '');
  const installed = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  return [...dirs, ...installed].map((d) => path.join(d, name)).find((p) => existsSync(p));
}

/** The URL without its password, and the password for PGPASSWORD (not on a command line, where `ps` shows it). */
function splitPassword(url: string): { url: string; password?: string } {
  const u = new URL(url);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), ...(password !== undefined && { password }) };
}

export interface PostgresBackupResult {
  readonly file: string;
  readonly bytes: number;
  /** The pg_dump used (its major version must be at least the server's). */
  readonly tool: string;
}

/**
 * `pg_dump --format=custom` of the database at `url` to `out` (through `<out>.partial`): one
 * REPEATABLE READ snapshot, consistent while the service writes. Restore: docs/state.md
 * (`pg_restore --clean --if-exists -d <url> <file>`).
 */
export async function backupPostgres(url: string, out: string, env: NodeJS.ProcessEnv = process.env): Promise<PostgresBackupResult> {
  refuseExisting(out);
  const tool = findPgTool('pg_dump', env);
  if (tool === undefined)
    throw new StateBackupError(
      'pg_dump not found on PATH, in PG_BIN or under /usr/lib/postgresql/*/bin: install the PostgreSQL client (apt-get install postgresql-client), of the server version or newer',
    );
  const { url: bare, password } = splitPassword(url);
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  try {
    await run(tool, ['--format=custom', `--file=${partial}`, `--dbname=${bare}`], {
      env: { ...env, ...(password !== undefined && { PGPASSWORD: password }) },
      maxBuffer: 16 * 1024 * 1024,
    });
    renameSync(partial, out);
    return { file: out, bytes: statSync(out).size, tool };
  } catch (err) {
    rmSync(partial, { force: true });
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new StateBackupError(`pg_dump of ${redactedUrl(url)} failed: ${stderr !== undefined && stderr !== '' ? stderr : errorMessage(err)}`, err);
  }
}
