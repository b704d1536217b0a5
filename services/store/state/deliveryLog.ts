/**
 * Delivery log of the notifiers (contract 7 alert email, webhooks, report mail): every attempt is
 * recorded, so that an officer can see why a mail did not arrive. Targets and errors arrive
 * redacted (services/delivery/deliveryQueue.ts), because SMTP and robot webhook URLs carry credentials.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

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
  record(d: DeliveryRecord): void;
  list(filter?: DeliveryFilter): DeliveryRecord[];
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

/** Append-only; one row per attempt. Shares the state.db file with the other state tables. */
export class SqliteDeliveryLog extends SqliteBacked implements DeliveryLog {
  constructor(options: { path: string }) {
    super(
      options.path,
      `
      CREATE TABLE IF NOT EXISTS delivery (
        id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL,
        alarm_ids TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS delivery_by_status ON delivery (status, id);
    `,
    );
  }

  record(d: DeliveryRecord): void {
    this.statement(
      'INSERT INTO delivery (channel, target, subject, alarm_ids, status, attempts, last_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(d.channel, d.target, d.subject, JSON.stringify(d.alarmIds), d.status, d.attempts, d.lastError ?? null, d.at);
  }

  list(filter: DeliveryFilter = {}): DeliveryRecord[] {
    const where = filter.status ? 'WHERE status = ?' : '';
    const params: (string | number)[] = filter.status ? [filter.status] : [];
    const rows = this.statement(`SELECT * FROM delivery ${where} ORDER BY id DESC LIMIT ?`).all(...params, filter.limit ?? 100) as DeliveryRow[];
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

  record(d: DeliveryRecord): void {
    this.rows.push({ ...d, id: this.rows.length + 1, alarmIds: [...d.alarmIds] });
  }

  list(filter: DeliveryFilter = {}): DeliveryRecord[] {
    return this.rows
      .filter((r) => !filter.status || r.status === filter.status)
      .reverse()
      .slice(0, filter.limit ?? 100);
  }
}
