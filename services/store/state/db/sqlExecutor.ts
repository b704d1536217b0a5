/**
 * The state port's lowest level: an async SQL executor that one store implementation runs on over
 * SQLite (embedded default) and PostgreSQL (DATABASE_URL). Stores write portable SQL with `?`
 * placeholders (PostgreSQL's driver numbers them); what differs between the two engines is the
 * schema, which lives in the versioned migrations (migrations.ts), not in the stores.
 */
import { AppError } from '../../../core/errors';

export type SqlValue = string | number | null;
export type Dialect = 'sqlite' | 'postgres';

export interface TransactionOptions {
  /**
   * Serialises read-decide-write transactions of this name across processes and hosts. SQLite
   * already does (BEGIN IMMEDIATE takes the one write lock); PostgreSQL takes a transaction-scoped
   * advisory lock on the name, since READ COMMITTED would let two hosts pass the same check.
   */
  readonly lock?: string;
}

export interface SqlExecutor {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; `changes` is the number of rows it wrote. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Runs `work` in one transaction on the executor it is given (all or none of its writes land).
   * Called on a transaction's executor it joins that transaction.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/** The state database: an executor with a lifecycle; start() applies pending migrations. */
export interface StateDb extends SqlExecutor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Open and usable (health checks). */
  readonly healthy: boolean;
  /** Where it is, for logs and the start-up line, without credentials. */
  readonly location: string;
  /** The schema version after start(). */
  readonly schemaVersion: number;
}

/** The server went away or cannot be reached (SQLSTATE class 08, admin shutdown, a network error): trying again may work. */
function connectionLost(cause: unknown): boolean {
  const code = cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string' ? cause.code : '';
  return code.startsWith('08') || code === '57P01' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT';
}

/** A statement failed; carries the engine and the statement (never its parameters: they may hold payloads). */
export class StateDbError extends AppError {
  constructor(dialect: Dialect, sql: string, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super('state-db-error', `state database (${dialect}): ${message}`, {
      retryable: connectionLost(cause),
      context: { dialect, statement: sql.replace(/\s+/g, ' ').trim().slice(0, 200) },
      cause,
    });
  }
}

/**
 * Byte-order comparison of text keys. Stores sort text here rather than by ORDER BY: PostgreSQL
 * orders text by the database's collation (en_US ignores `-` and `_` at first), SQLite by bytes.
 */
export function byText<T>(...keys: ((row: T) => string | number)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const [x, y] = [key(a), key(b)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}
