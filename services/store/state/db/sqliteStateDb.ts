/**
 * The state database on SQLite (DATA_DIR/state.db), the embedded default. better-sqlite3 is
 * synchronous, so one connection serves every store; a transaction is BEGIN IMMEDIATE ... COMMIT
 * around async work, and while it is open every other caller on this connection waits for it (a
 * statement run meanwhile would otherwise join, and roll back with, someone else's transaction).
 *
 * SQLite's own busy wait is off: better-sqlite3 would wait for another connection's write lock
 * synchronously, freezing the event loop, and when that connection is in this process (a test, a
 * tool beside the service) its transaction could never finish. A busy database is retried here
 * instead, asynchronously, for up to BUSY_WAIT_MS.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from '../../sqlite/sqliteFile';
import { applyMigrations, type Migration } from './migrations';
import { StateDbError, type SqlExecutor, type SqlValue, type StateDb } from './sqlExecutor';
import { STATE_MIGRATIONS } from './stateSchema';

const BUSY_WAIT_MS = 10_000;

function isBusy(err: unknown): boolean {
  const cause = err instanceof StateDbError ? err.cause : err;
  const code = cause && typeof cause === 'object' && 'code' in cause ? cause.code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * Runs `work` again while SQLite answers busy, waiting a little longer each time, up to
 * BUSY_WAIT_MS; `before` runs before every attempt (a statement outside transactions waits there
 * for one of this connection's transactions that began while it slept, so it never joins it).
 */
async function whileBusy<R>(work: () => R, before?: () => Promise<void>): Promise<R> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    await before?.();
    try {
      return work();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

export class SqliteStateDb implements StateDb {
  readonly dialect = 'sqlite' as const;
  private db: Database.Database | undefined;
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves when the open transaction (if any) ends; transactions queue behind each other. */
  private txTail: Promise<void> = Promise.resolve();
  private txOpen = false;
  private version = 0;
  /** The executor handed to a transaction's work: runs at once, bypassing the queue. */
  private readonly inTx: SqlExecutor = {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.exec(sql, (s) => s.all(...params) as T[]),
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.exec(sql, (s) => s.get(...params) as T | undefined),
    run: async (sql: string, params: readonly SqlValue[] = []) => this.exec(sql, (s) => ({ changes: s.run(...params).changes })),
    transaction: async <T>(work: (tx: SqlExecutor) => Promise<T>) => work(this.inTx),
  };

  constructor(
    private readonly file: string,
    private readonly migrations: readonly Migration[] = STATE_MIGRATIONS,
  ) {}

  get location(): string {
    return this.file;
  }

  get healthy(): boolean {
    return this.db?.open === true;
  }

  get schemaVersion(): number {
    return this.version;
  }

  async start(): Promise<void> {
    // No busy timeout: a busy database is retried here, asynchronously (whileBusy).
    this.db = openSqlite(this.file, '', { timeout: 0 });
    this.version = await applyMigrations(this, this.migrations);
  }

  async stop(): Promise<void> {
    await this.txTail;
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return whileBusy(() => this.exec(sql, (s) => s.all(...params) as T[]), this.outside);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return whileBusy(() => this.exec(sql, (s) => s.get(...params) as T | undefined), this.outside);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return whileBusy(() => this.exec(sql, (s) => ({ changes: s.run(...params).changes })), this.outside);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const before = this.txTail;
    let done!: () => void;
    this.txTail = new Promise<void>((resolve) => (done = resolve));
    await before;
    this.txOpen = true;
    try {
      // IMMEDIATE: take the write lock before the first read, so that a read-decide-write cannot
      // be overtaken by another process sharing the file (scaled-out instances on one host).
      await whileBusy(() => this.exec('BEGIN IMMEDIATE', (s) => s.run()));
      try {
        const result = await work(this.inTx);
        this.exec('COMMIT', (s) => s.run());
        return result;
      } catch (err) {
        if (this.db?.inTransaction === true) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.txOpen = false;
      done();
    }
  }

  /** SQLite's online backup of the open database to `file`, consistent while the service writes. */
  async backup(file: string): Promise<void> {
    await this.conn().backup(file);
  }

  /** Resolves once no transaction of this connection is open. */
  private readonly outside = async (): Promise<void> => {
    while (this.txOpen) await this.txTail;
  };

  private conn(): Database.Database {
    if (!this.db) throw new StateDbError('sqlite', '(not open)', new Error(`${this.file} used before start()`));
    return this.db;
  }

  private exec<R>(sql: string, use: (s: Database.Statement) => R): R {
    try {
      let st = this.statements.get(sql);
      if (!st) this.statements.set(sql, (st = this.conn().prepare(sql)));
      return use(st);
    } catch (err) {
      if (err instanceof StateDbError) throw err;
      throw new StateDbError('sqlite', sql, err);
    }
  }
}
