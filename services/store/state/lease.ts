/**
 * A named lease in the state store (SQLite `state.db`): of the instances sharing one DATA_DIR, at
 * most one holds it at a time, so the rules engine and the report jobs run on exactly one of them
 * (scale-out, issue 7). The holder renews it every `renewMs`; it lapses `ttlMs` after the last
 * renewal, so a standby takes over after a crash within ttlMs + renewMs, and at once (next poll)
 * after a graceful stop, which releases it.
 *
 * Acquire and renew are one IMMEDIATE transaction (read, decide, write under SQLite's write lock),
 * so two processes can never both see the lease free. The expiry is compared with the clock of the
 * process that asks: SQLite is shared between processes of one host only, which share a clock.
 */
import os from 'node:os';
import type Database from 'better-sqlite3';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';
import { openSqlite } from '../sqlite/sqliteFile';

export const DEFAULT_LEASE_TTL_MS = 30_000;
export const DEFAULT_LEASE_RENEW_MS = 10_000;

export interface LeaseOptions {
  /** The state database file (DATA_DIR/state.db). */
  readonly path: string;
  /** What the lease is for, e.g. `rules`: one row per name. */
  readonly name: string;
  /** Who holds it; unique per process (see defaultHolder). */
  readonly holder: string;
  /** The lease lapses this long after the last renewal (default 30 s). */
  readonly ttlMs?: number;
  /** Renew (or, on a standby, try to take over) this often (default 10 s); well below ttlMs. */
  readonly renewMs?: number;
}

export interface LeaseState {
  readonly name: string;
  readonly held: boolean;
  readonly holder: string;
  /** Who holds it now as far as the store says (undefined: nobody, or lapsed). */
  readonly currentHolder?: string;
  readonly expiresAt?: number;
}

/** A process-unique holder id: host, pid and a label (the MQTT client id). */
export function defaultHolder(label: string): string {
  return `${os.hostname()}/${process.pid}/${label}`;
}

interface LeaseRow {
  holder: string;
  expires_at: number;
}

export class Lease {
  private db: Database.Database | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Until when this process holds it (its own clock); 0 when not held. */
  private heldUntil = 0;
  private readonly ttlMs: number;
  private readonly renewMs: number;

  constructor(
    private readonly options: LeaseOptions,
    private readonly deps: { logger: Logger; now?: () => number; onChange?: (held: boolean) => void },
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.renewMs = options.renewMs ?? DEFAULT_LEASE_RENEW_MS;
    if (!(this.renewMs > 0 && this.renewMs < this.ttlMs))
      throw new RangeError(`lease ${options.name}: renewMs (${this.renewMs}) must be positive and below ttlMs (${this.ttlMs})`);
  }

  /** Opens the table and tries once at once, so that a lone instance is active from the start. */
  async start(): Promise<void> {
    this.open();
    this.tick();
    this.timer = setInterval(() => this.tick(), this.renewMs);
    this.timer.unref();
  }

  /** Stops renewing and releases the lease if held, so a standby takes over at its next poll. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.db) {
      try {
        this.release();
      } catch (err) {
        // The lease then lapses after ttlMs instead.
        this.deps.logger.warn({ err: errorMessage(err), lease: this.options.name }, 'lease not released');
      }
      this.db.close();
      this.db = undefined;
    }
  }

  /** Opens the database without the timer (tests drive tryAcquire by hand). */
  open(): void {
    this.db ??= openSqlite(
      this.options.path,
      'CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
  }

  /** True while this process holds an unexpired lease. */
  get held(): boolean {
    return this.heldUntil > this.now();
  }

  /**
   * Acquires the lease if free or lapsed, renews it if held by us; returns whether we hold it.
   * One IMMEDIATE transaction: the write lock is taken before the read.
   */
  tryAcquire(): boolean {
    const db = this.conn();
    const now = this.now();
    const { name, holder } = this.options;
    const expiresAt = now + this.ttlMs;
    const won = db
      .transaction((): boolean => {
        const row = db.prepare('SELECT holder, expires_at FROM leases WHERE name = ?').get(name) as LeaseRow | undefined;
        if (row && row.holder !== holder && row.expires_at > now) return false;
        db.prepare(
          'INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at',
        ).run(name, holder, expiresAt);
        return true;
      })
      .immediate();
    this.setHeld(won ? expiresAt : 0);
    return won;
  }

  /** Gives the lease up if we hold it. */
  release(): void {
    const db = this.conn();
    db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(this.options.name, this.options.holder);
    this.setHeld(0);
  }

  state(): LeaseState {
    const base = { name: this.options.name, held: this.held, holder: this.options.holder };
    if (!this.db) return base;
    const row = this.db.prepare('SELECT holder, expires_at FROM leases WHERE name = ?').get(this.options.name) as LeaseRow | undefined;
    return row && row.expires_at > this.now() ? { ...base, currentHolder: row.holder, expiresAt: row.expires_at } : base;
  }

  private tick(): void {
    try {
      this.tryAcquire();
    } catch (err) {
      // SQLite busy or a disk error: keep what we had until it lapses by our own clock, try again next tick.
      this.deps.logger.warn({ err: errorMessage(err), lease: this.options.name }, 'lease renewal failed');
      if (!this.held) this.setHeld(0);
    }
  }

  private setHeld(until: number): void {
    const was = this.heldUntil > 0;
    this.heldUntil = until;
    const is = until > 0;
    if (was === is) return;
    this.deps.logger.info(
      { lease: this.options.name, holder: this.options.holder, held: is },
      is ? 'lease acquired: this instance is active' : 'lease given up: this instance is standby',
    );
    this.deps.onChange?.(is);
  }

  private conn(): Database.Database {
    if (!this.db) throw new Error(`lease ${this.options.name} used before start()`);
    return this.db;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}
