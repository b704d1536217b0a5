/**
 * The state database on PostgreSQL (DATABASE_URL): what several hosts share. Stores' `?`
 * placeholders become `$1..$n`; BIGINT and NUMERIC come back as JavaScript numbers (millisecond
 * times and counts stay far below 2^53), so stores see the same row shapes as on SQLite.
 */
import pg from 'pg';
import type { Logger } from '../../../core/log';
import { applyMigrations, type Migration } from './migrations';
import { StateDbError, type SqlExecutor, type SqlValue, type StateDb, type TransactionOptions } from './sqlExecutor';
import { STATE_MIGRATIONS } from './stateSchema';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** `?` -> `$n`, outside quoted strings and identifiers. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let quote: string | undefined;
  let out = '';
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** The URL without its password, for logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable DATABASE_URL)';
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>;

function executorOn(q: Queryable, transaction: SqlExecutor['transaction']): SqlExecutor {
  const query = async <T>(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> => {
    try {
      return await q.query<T & pg.QueryResultRow>(numberPlaceholders(sql), [...params]);
    } catch (err) {
      throw new StateDbError('postgres', sql, err);
    }
  };
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query<T>(sql, params)).rows,
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query<T>(sql, params)).rows[0],
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    transaction,
  };
}

export class PostgresStateDb implements StateDb {
  readonly dialect = 'postgres' as const;
  private pool: pg.Pool | undefined;
  private version = 0;
  private readonly outside: SqlExecutor;

  constructor(
    private readonly url: string,
    private readonly migrations: readonly Migration[] = STATE_MIGRATIONS,
    private readonly options: { poolSize?: number; logger?: Logger } = {},
  ) {
    this.outside = executorOn({ query: (text: string, values?: unknown[]) => this.conn().query(text, values) } as Queryable, (work, options) =>
      this.transaction(work, options),
    );
  }

  get location(): string {
    return redactedUrl(this.url);
  }

  get healthy(): boolean {
    return this.pool !== undefined && !this.pool.ended;
  }

  get schemaVersion(): number {
    return this.version;
  }

  async start(): Promise<void> {
    const types = {
      getTypeParser: (oid: number, format?: string) =>
        oid === INT8_OID || oid === NUMERIC_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
    };
    const pool = new pg.Pool({ connectionString: this.url, max: this.options.poolSize ?? 10, types, connectionTimeoutMillis: 10_000 });
    // An idle client losing its server (restart, failover) must not crash the process: the next
    // query gets a fresh connection.
    pool.on('error', (err) =>
      this.options.logger?.warn({ err, database: this.location }, 'an idle state database connection failed; the next query reconnects'),
    );
    this.pool = pool;
    this.version = await applyMigrations(this, this.migrations);
  }

  async stop(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outside.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outside.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.outside.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.conn().connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const tx = executorOn(client, async (inner) => inner(tx));
      if (options.lock !== undefined) await tx.run('SELECT pg_advisory_xact_lock(hashtext(?))', [options.lock]);
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private conn(): pg.Pool {
    if (!this.pool) throw new StateDbError('postgres', '(not open)', new Error(`${this.location} used before start()`));
    return this.pool;
  }
}
