/**
 * State databases for tests: a SQLite file in a temporary directory (what most tests use), and the
 * contract suite's engines, SQLite and PostgreSQL, so that every state store is held to the same
 * behaviour on both (describeStateEngines).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PostgresStateDb } from '../../services/store/state/db/postgresStateDb';
import type { Migration } from '../../services/store/state/db/migrations';
import type { StateDb } from '../../services/store/state/db/sqlExecutor';
import { SqliteStateDb } from '../../services/store/state/db/sqliteStateDb';
import { findPostgres, startPostgres, type PostgresHandle } from './postgres';

/** A started SQLite state database in a fresh temporary directory; close() stops it and removes the directory. */
export async function openTestStateDb(dir?: string): Promise<StateDb & { close(): Promise<void> }> {
  const own = dir === undefined;
  const where = dir ?? mkdtempSync(path.join(tmpdir(), 'state-test-'));
  const db = new SqliteStateDb(path.join(where, 'state.db'));
  await db.start();
  return Object.assign(db, {
    async close(): Promise<void> {
      await db.stop();
      if (own) rmSync(where, { recursive: true, force: true });
    },
  });
}

export interface StateEngine {
  readonly name: 'sqlite' | 'postgres';
  /** A new, empty, started state database (each call its own). */
  fresh(): Promise<StateDb>;
  /**
   * A second connection to the database `db` came from (another process would have), started;
   * with `migrations`, as a release with that schema list would open it.
   */
  reopen(db: StateDb, migrations?: readonly Migration[]): Promise<StateDb>;
  /** Where an empty database is (a file path or a URL), nothing created in it yet. */
  blank(): Promise<string>;
  /** A state database at `where`, NOT started (stopped after the test). */
  at(where: string, migrations?: readonly Migration[]): StateDb;
}

let serial = 0;

/**
 * Runs `body` once per engine: SQLite always, PostgreSQL when installed (required with CI=true).
 * Databases made by fresh() are stopped after each test; the server is stopped after the file.
 */
export function describeStateEngines(title: string, body: (engine: StateEngine) => void): void {
  const sqliteDirs: string[] = [];
  let server: PostgresHandle | undefined;
  let serverTried = false;
  const opened: StateDb[] = [];
  const location = new Map<StateDb, string>();

  const engines: StateEngine[] = [
    {
      name: 'sqlite',
      async fresh() {
        const dir = mkdtempSync(path.join(tmpdir(), 'state-contract-'));
        sqliteDirs.push(dir);
        const db = new SqliteStateDb(path.join(dir, 'state.db'));
        await db.start();
        opened.push(db);
        location.set(db, path.join(dir, 'state.db'));
        return db;
      },
      async reopen(db, migrations) {
        const again = new SqliteStateDb(location.get(db) ?? db.location, migrations);
        opened.push(again);
        await again.start();
        return again;
      },
      async blank() {
        const dir = mkdtempSync(path.join(tmpdir(), 'state-contract-'));
        sqliteDirs.push(dir);
        return path.join(dir, 'state.db');
      },
      at(where, migrations) {
        const db = new SqliteStateDb(where, migrations);
        opened.push(db);
        return db;
      },
    },
    {
      name: 'postgres',
      async fresh() {
        const url = await this.blank();
        const db = new PostgresStateDb(url);
        await db.start();
        opened.push(db);
        location.set(db, url);
        return db;
      },
      async reopen(db, migrations) {
        const again = new PostgresStateDb(location.get(db) ?? '', migrations);
        opened.push(again);
        await again.start();
        return again;
      },
      async blank() {
        if (!serverTried) {
          serverTried = true;
          server = await startPostgres();
        }
        if (!server) throw new Error('PostgreSQL is not installed');
        return server.createDatabase(`state_${process.pid}_${++serial}`);
      },
      at(where, migrations) {
        const db = new PostgresStateDb(where, migrations);
        opened.push(db);
        return db;
      },
    },
  ];

  const pgAvailable = process.env.CI === 'true' || findPostgres() !== undefined;
  for (const engine of engines) {
    const run = engine.name === 'postgres' && !pgAvailable ? describe.skip : describe;
    run(`${title} [${engine.name}]`, () => {
      afterEach(async () => {
        for (const db of opened.splice(0)) await db.stop();
      });
      body(engine);
    });
  }
  afterAll(async () => {
    await server?.stop();
    for (const dir of sqliteDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/** A module of services/store/state as a quoted path, for the import lines of a racer script. */
export function stateModule(file: string): string {
  return JSON.stringify(path.resolve(__dirname, '../../services/store/state', file));
}

/**
 * Runs `script` (TypeScript, through tsx) as two processes on the SQLite file `dbFile`, as two
 * instances of one host would: argv `file who startAt`, `startAt` an instant `leadMs` ahead at which
 * both begin. Two connections cannot race inside one process, so SQLite's races are run this way.
 * Returns each process's standard output, in the order of `who`.
 */
export async function raceInTwoProcesses(dbFile: string, script: string, who: readonly [string, string], leadMs = 4000): Promise<[string, string]> {
  const file = path.join(path.dirname(dbFile), 'racer.ts');
  writeFileSync(file, script);
  const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
  const startAt = String(Date.now() + leadMs);
  const run = (name: string) => promisify(execFile)(tsx, [file, dbFile, name, startAt], { timeout: 30_000 });
  const [a, b] = await Promise.all([run(who[0]), run(who[1])]);
  return [a.stdout, b.stdout];
}
