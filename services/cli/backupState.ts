/**
 * `npm run state:backup -- --out <file>`: a consistent backup of the state database while the
 * service runs (docs/state.md). With DATABASE_URL set, `pg_dump --format=custom` of that database
 * (restore: `pg_restore --clean --if-exists -d <url> <file>`); otherwise SQLite's online backup of
 * DATA_DIR/state.db (or --from), a plain SQLite file (restore: stop the service, put it in place
 * of state.db, remove state.db-wal and state.db-shm, start).
 *
 *   --out <file>    the backup to write (never overwritten)
 *   --from <file>   SQLite only: the state file (default DATA_DIR/state.db)
 *
 * Exits 0 when written, 1 when refused or failed (no file at --out), 2 on a usage error.
 */
import { exitWith, processIo } from './processIo';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors';
import { redactedUrl } from '../store/state/db/postgresStateDb';
import { backupPostgres, backupSqlite } from '../store/state/db/stateBackup';

const USAGE = `usage: npm run state:backup -- --out <file> [--from <state.db>]
Backs up the state while the service runs: PostgreSQL (DATABASE_URL set) with pg_dump --format=custom,
else SQLite DATA_DIR/state.db (or --from) with the online backup API. Restore: docs/state.md.`;

export interface BackupStateIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd?: string;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

function options(argv: readonly string[]): { out: string; from?: string } | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: { out: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  const out = nonEmpty(values.out);
  if (out === undefined) throw new Error('--out <file> is required');
  const from = nonEmpty(values.from);
  return { out, ...(from !== undefined && { from }) };
}

/** Runs the command; returns the exit code (0 written, 1 refused or failed, 2 usage). */
export async function runBackupState(argv: readonly string[], env: NodeJS.ProcessEnv, io: BackupStateIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  let o: ReturnType<typeof options>;
  try {
    o = options(argv);
  } catch (err) {
    io.stderr(`state:backup: ${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  if (o === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (databaseUrl !== undefined && o.from !== undefined) {
    io.stderr(`state:backup: --from names a SQLite file, but DATABASE_URL is set (the state is on PostgreSQL): unset one of them\n`);
    return 2;
  }
  const out = path.resolve(cwd, o.out);
  try {
    if (databaseUrl !== undefined) {
      const done = await backupPostgres(databaseUrl, out, env);
      io.stdout(`backed up ${redactedUrl(databaseUrl)} to ${done.file} (${done.bytes} bytes, pg_dump custom format, ${done.tool})\n`);
      io.stdout(`restore: pg_restore --clean --if-exists -d <url> ${done.file}   (see docs/state.md)\n`);
    } else {
      const from = path.resolve(cwd, o.from ?? path.join(nonEmpty(env.DATA_DIR) ?? 'data', 'state.db'));
      const done = await backupSqlite(from, out);
      io.stdout(`backed up ${from} to ${done.file} (${done.bytes} bytes, schema version ${done.schemaVersion}, integrity ok)\n`);
      io.stdout(`restore: stop the service, copy it over ${from}, delete ${from}-wal and ${from}-shm, start   (see docs/state.md)\n`);
    }
    return 0;
  } catch (err) {
    io.stderr(`state:backup: ${errorMessage(err)}\n`);
    return 1;
  }
}

if (require.main === module) exitWith(runBackupState(process.argv.slice(2), process.env, processIo));
