/**
 * `npm run state:copy -- --from data/state.db --to postgres://user:password@host:5432/energy`:
 * moves the state from SQLite to PostgreSQL (docs/state.md). Run it with the service STOPPED: what
 * the service writes to state.db after the copy began would not reach PostgreSQL.
 *
 *   --from <file>   the SQLite state file, any version: read through an online backup, migrated on
 *                   that private copy (the file itself is left as it was)
 *   --to <url>      an EMPTY PostgreSQL database (the schema is created; a database holding state
 *                   is refused)
 *
 * Prints each table's rows read and written; exits 0 when all were copied, 1 when refused or
 * failed (nothing written to the target), 2 on a usage error.
 */
import { exitWith, processIo } from './processIo';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors';
import { PostgresStateDb, redactedUrl } from '../store/state/db/postgresStateDb';
import { copyStateTables, StateCopyError, withSqliteSnapshot, type TableCopyCount } from '../store/state/db/stateCopy';

const USAGE = `usage: npm run state:copy -- --from <state.db> --to <postgres://user:password@host:5432/database>
Copies the SQLite state into an empty PostgreSQL database. Stop the service first: writes made
after the copy began would be lost. Then set DATABASE_URL to the --to URL and start the service.`;

export interface CopyStateIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd?: string;
}

class UsageError extends Error {}

function options(argv: readonly string[]): { from: string; to: string } | 'help' {
  let values: { from?: string; to?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  if (values.help === true) return 'help';
  if (values.from === undefined || values.from === '') throw new UsageError('--from <state.db> is required');
  if (values.to === undefined || values.to === '') throw new UsageError('--to <postgres://...> is required');
  let protocol = '';
  try {
    protocol = new URL(values.to).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new UsageError(`--to must be a PostgreSQL URL, postgres://user:password@host:5432/database, got ${redactedUrl(values.to)}`);
  return { from: values.from, to: values.to };
}

function table(counts: readonly TableCopyCount[]): string {
  const width = Math.max(...counts.map((c) => c.table.length));
  return counts.map((c) => `  ${c.table.padEnd(width)}  read ${c.read}, written ${c.written}`).join('\n');
}

/** Runs the command; returns the exit code (0 copied, 1 refused or failed, 2 usage). */
export async function runCopyState(argv: readonly string[], io: CopyStateIo): Promise<number> {
  let o: ReturnType<typeof options>;
  try {
    o = options(argv);
  } catch (err) {
    io.stderr(`state:copy: ${errorMessage(err)}\n${USAGE}\n`);
    return 2;
  }
  if (o === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const from = path.resolve(io.cwd ?? process.cwd(), o.from);
  // Opening a missing file would create an empty state and "copy" nothing.
  if (!existsSync(from)) {
    io.stderr(`state:copy: ${from} does not exist (the SQLite state is DATA_DIR/state.db, by default data/state.db)\n`);
    return 1;
  }
  const target = new PostgresStateDb(o.to, undefined, { poolSize: 2 });
  try {
    await target.start();
    io.stdout(`copying ${from} -> ${target.location} (schema version ${target.schemaVersion})\n`);
    const counts = await withSqliteSnapshot(from, (source) => copyStateTables(source, target));
    io.stdout(`${table(counts)}\ncopied ${counts.reduce((n, c) => n + c.written, 0)} rows; every table's counts match.\n`);
    io.stdout(`next: set DATABASE_URL=${target.location} (with its password) and start the service; keep ${from} as a backup\n`);
    return 0;
  } catch (err) {
    const what = err instanceof StateCopyError ? err.message : `${errorMessage(err)} (nothing was copied)`;
    io.stderr(`state:copy: ${what}\n`);
    return 1;
  } finally {
    await target.stop();
  }
}

if (require.main === module) exitWith(runCopyState(process.argv.slice(2), processIo));
