/**
 * A named lease in the state database: of the instances sharing it (one DATA_DIR's state.db, or
 * one DATABASE_URL), at most one holds it at a time, so the rules engine and the report jobs run on
 * exactly one of them (scale-out, issue 7). The holder renews it every `renewMs`; it lapses `ttlMs`
 * after the last renewal, so a standby takes over after a crash within ttlMs + renewMs, and at once
 * (next poll) after a graceful stop, which releases it.
 *
 * Acquire and renew are one transaction under the `leases` lock (read, decide, write), so two
 * processes can never both see the lease free. Expiry times are on the database's clock on
 * PostgreSQL, so that hosts with skewed clocks agree, and on the process clock on SQLite (shared by
 * the processes of one host only). This process's own view (`held`) starts counting before the
 * request is sent, so it always lapses before the database's does.
 *
 * Fencing: `token` rises by one every time the holder changes (renewal keeps it); assertHeld()
 * checks, inside a caller's transaction, that the row still names us with our token.
 */
import os from 'node:os';
import { AppError, errorMessage } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/log';
import type { SqlExecutor } from './db/sqlExecutor';

export const DEFAULT_LEASE_TTL_MS = 30_000;
export const DEFAULT_LEASE_RENEW_MS = 10_000;

export interface LeaseOptions {
  /** What the lease is for, e.g. `rules`: one row per name. */
  readonly name: string;
  /** Who holds it; unique per process (see defaultHolder). */
  readonly holder: string;
  /** The lease lapses this long after the last renewal (default 30 s). */
  readonly ttlMs?: number;
  /** Renew (or, on a standby, try to take over) this often (default 10 s); well below ttlMs. */
  readonly renewMs?: number;
}

export interface LeaseDeps {
  readonly logger?: Logger;
  /** This process's clock (tests); also the expiry clock on SQLite. */
  readonly now?: () => number;
  readonly onChange?: (held: boolean) => void;
}

export interface LeaseState {
  readonly name: string;
  readonly held: boolean;
  readonly holder: string;
  /** Who holds it now as far as the last attempt saw (undefined: nobody, or lapsed since). */
  readonly currentHolder?: string;
  /** When that holder's lease lapses, on the database's clock (ms). */
  readonly expiresAt?: number;
  /** That holder's fencing token. */
  readonly token?: number;
}

/** The lease is no longer ours (taken over, released or lapsed): the fenced work must not commit. */
export class LeaseLostError extends AppError {
  constructor(context: { name: string; holder: string; token?: number; currentHolder?: string; currentToken?: number; expiresAt?: number }) {
    super('lease-lost', `lease ${context.name} is no longer held by ${context.holder}`, { context });
  }
}

/** A process-unique holder id: host, pid and a label (the MQTT client id). */
export function defaultHolder(label: string): string {
  return `${os.hostname()}/${process.pid}/${label}`;
}

interface LeaseRow {
  holder: string;
  expires_at: number;
  token: number;
}

/** What the last attempt saw, with when (on our clock) the holder it saw lapses. */
interface Seen {
  readonly holder: string;
  readonly expiresAt: number;
  readonly token: number;
  readonly localUntil: number;
}

const SELECT_ROW = 'SELECT holder, expires_at, token FROM leases WHERE name = ?';
const DB_NOW = 'SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now';
/** PostgreSQL: FOR SHARE holds off a takeover (its UPDATE) until the caller's transaction ends. */
const ASSERT_ROW_PG = `SELECT holder, expires_at, token, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now FROM leases WHERE name = ? FOR SHARE`;
const UPSERT =
  'INSERT INTO leases (name, holder, expires_at, token) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, token = excluded.token';

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  /** Until when this process holds it (its own clock); 0 when not held. */
  private heldUntil = 0;
  private heldToken: number | undefined;
  private seen: Seen | undefined;
  /** The attempt under way (ticks do not overlap; stop() waits for it). */
  private attempt: Promise<void> | undefined;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly logger: Logger;

  constructor(
    private readonly db: SqlExecutor,
    private readonly options: LeaseOptions,
    private readonly deps: LeaseDeps = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.renewMs = options.renewMs ?? DEFAULT_LEASE_RENEW_MS;
    this.logger = deps.logger ?? silentLogger();
    if (!(this.renewMs > 0 && this.renewMs < this.ttlMs))
      throw new RangeError(`lease ${options.name}: renewMs (${this.renewMs}) must be positive and below ttlMs (${this.ttlMs})`);
  }

  /** Tries once at once, so that a lone instance is active from the start, then every renewMs. */
  async start(): Promise<void> {
    await this.tick();
    this.timer ??= setInterval(() => {
      void this.tick();
    }, this.renewMs);
    this.timer.unref();
  }

  /** Stops renewing and releases the lease if held, so a standby takes over at its next poll. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // An attempt landing after the release would hold the lease again until it lapses.
    await this.attempt;
    try {
      await this.release();
    } catch (err) {
      // The lease then lapses after ttlMs instead.
      this.logger.warn({ err: errorMessage(err), lease: this.options.name }, 'lease not released');
      this.setHeld(0);
    }
  }

  /** True while this process holds an unexpired lease (by its own clock, which lapses first). */
  get held(): boolean {
    return this.heldUntil > this.now();
  }

  /** Our fencing token while we hold the lease, else undefined. */
  get token(): number | undefined {
    return this.held ? this.heldToken : undefined;
  }

  /** Acquires the lease if free or lapsed, renews it if held by us; returns whether we hold it. */
  async tryAcquire(): Promise<boolean> {
    // Taken before the request is sent: our view then lapses no later than the database's.
    const localStart = this.now();
    const { name, holder } = this.options;
    const outcome = await this.db.transaction(
      async (tx) => {
        const dbNow = tx.dialect === 'postgres' ? ((await tx.get<{ now: number }>(DB_NOW))?.now ?? localStart) : localStart;
        const row = await tx.get<LeaseRow>(SELECT_ROW, [name]);
        if (row && row.holder !== holder && row.expires_at > dbNow) return { won: false, row, dbNow };
        const token = !row ? 1 : row.holder === holder ? row.token : row.token + 1;
        const mine: LeaseRow = { holder, expires_at: dbNow + this.ttlMs, token };
        await tx.run(UPSERT, [name, holder, mine.expires_at, token]);
        return { won: true, row: mine, dbNow };
      },
      { lock: 'leases' },
    );
    const { won, row, dbNow } = outcome;
    this.seen = { holder: row.holder, expiresAt: row.expires_at, token: row.token, localUntil: localStart + (row.expires_at - dbNow) };
    this.heldToken = won ? row.token : undefined;
    this.setHeld(won ? localStart + this.ttlMs : 0);
    return won;
  }

  /**
   * Gives the lease up if we hold it. The row stays (lapsed), so that the token keeps rising
   * across holders; a standby takes it at its next attempt.
   */
  async release(): Promise<void> {
    await this.db.run('UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?', [this.options.name, this.options.holder]);
    this.seen = undefined;
    this.heldToken = undefined;
    this.setHeld(0);
  }

  /**
   * Fencing: inside the caller's transaction `tx`, confirms that the row still names us with our
   * token and has not lapsed (on the database's clock on PostgreSQL), else throws LeaseLostError.
   * On SQLite the caller's transaction holds the write lock, on PostgreSQL the row is locked
   * FOR SHARE, so no takeover can commit before the caller's writes do.
   */
  async assertHeld(tx: SqlExecutor): Promise<void> {
    const { name, holder } = this.options;
    const token = this.token;
    const pg = tx.dialect === 'postgres';
    const row = await tx.get<LeaseRow & { now?: number }>(pg ? ASSERT_ROW_PG : SELECT_ROW, [name]);
    const now = pg ? (row?.now ?? 0) : this.now();
    if (token !== undefined && row && row.holder === holder && row.token === token && row.expires_at > now) return;
    throw new LeaseLostError({
      name,
      holder,
      ...(token !== undefined && { token }),
      ...(row && { currentHolder: row.holder, currentToken: row.token, expiresAt: row.expires_at }),
    });
  }

  /** What the last attempt saw, without asking the database (health checks). */
  state(): LeaseState {
    const base = { name: this.options.name, held: this.held, holder: this.options.holder };
    const seen = this.seen;
    return seen && seen.localUntil > this.now() ? { ...base, currentHolder: seen.holder, expiresAt: seen.expiresAt, token: seen.token } : base;
  }

  private async tick(): Promise<void> {
    if (this.attempt) return;
    this.attempt = (async () => {
      try {
        await this.tryAcquire();
      } catch (err) {
        // Database busy or unreachable: keep what we had until it lapses by our own clock, try again next tick.
        this.logger.warn({ err: errorMessage(err), lease: this.options.name }, 'lease renewal failed');
        if (!this.held) this.setHeld(0);
      }
    })();
    try {
      await this.attempt;
    } finally {
      this.attempt = undefined;
    }
  }

  private setHeld(until: number): void {
    const was = this.heldUntil > 0;
    this.heldUntil = until;
    const is = until > 0;
    if (!is) this.heldToken = undefined;
    if (was === is) return;
    this.logger.info(
      { lease: this.options.name, holder: this.options.holder, held: is },
      is ? 'lease acquired: this instance is active' : 'lease given up: this instance is standby',
    );
    this.deps.onChange?.(is);
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}
