/**
 * Delivery log of the notifiers (contract 7 alert email, webhooks, report mail): every attempt is
 * recorded, so that an officer can see why a mail did not arrive. Targets and errors arrive
 * redacted (services/delivery/deliveryQueue.ts), because SMTP and robot webhook URLs carry credentials.
 */
import type { SqlExecutor } from './db/sqlExecutor';

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'sent' | 'failed' | 'retrying';

export interface DeliveryRecord {
  readonly id?: number;
  readonly channel: DeliveryChannel;
  /** Email address, or a URL with its credentials redacted (services/core/security.ts `redactUrl`). */
  readonly target: string;
  readonly subject: string;
  readonly alarmIds: number[];
  readonly status: DeliveryStatus;
  /** Attempts made so far for this message, including this one. */
  readonly attempts: number;
  readonly lastError?: string;
  /** Epoch ms of the attempt. */
  readonly at: number;
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  /** Default 100; newest first. */
  readonly limit?: number;
}

export interface DeliveryLog {
  record(d: DeliveryRecord): Promise<void>;
  list(filter?: DeliveryFilter): Promise<DeliveryRecord[]>;
}

interface DeliveryRow {
  id: number;
  channel: string;
  target: string;
  subject: string;
  alarm_ids: string;
  status: string;
  attempts: number;
  last_error: string | null;
  at: number;
}

/** Append-only; one row per attempt, in the state database (SQLite or PostgreSQL). */
export class SqlDeliveryLog implements DeliveryLog {
  constructor(private readonly db: SqlExecutor) {}

  async record(d: DeliveryRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO delivery (channel, target, subject, alarm_ids, status, attempts, last_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [d.channel, d.target, d.subject, JSON.stringify(d.alarmIds), d.status, d.attempts, d.lastError ?? null, d.at],
    );
  }

  async list(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    const rows = filter.status
      ? await this.db.all<DeliveryRow>('SELECT * FROM delivery WHERE status = ? ORDER BY id DESC LIMIT ?', [filter.status, filter.limit ?? 100])
      : await this.db.all<DeliveryRow>('SELECT * FROM delivery ORDER BY id DESC LIMIT ?', [filter.limit ?? 100]);
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel === 'webhook' ? 'webhook' : 'email',
      target: r.target,
      subject: r.subject,
      alarmIds: JSON.parse(r.alarm_ids) as number[],
      status: r.status as DeliveryStatus,
      attempts: r.attempts,
      ...(r.last_error !== null && { lastError: r.last_error }),
      at: r.at,
    }));
  }
}

/** For tests and for a service run without a state directory. */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly rows: DeliveryRecord[] = [];

  async record(d: DeliveryRecord): Promise<void> {
    this.rows.push({ ...d, id: this.rows.length + 1, alarmIds: [...d.alarmIds] });
  }

  async list(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    return this.rows
      .filter((r) => !filter.status || r.status === filter.status)
      .reverse()
      .slice(0, filter.limit ?? 100);
  }
}
