/**
 * The state store: what the service keeps besides time series (the quarantine, data-quality
 * events; alarms, output values and report snapshots join it in their issues). Always SQLite under
 * DATA_DIR, also in production, so that it survives restarts without another server.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';
import type { DataQualityEvent, DataQualityKind } from '../../energy/dataQuality';

/** Reason codes of contract 2, plus `too-large` for payloads over the configured limit. */
export const QUARANTINE_REASONS = [
  'bad-json',
  'bad-shape',
  'unknown-enterprise',
  'unknown-meter',
  'unit-mismatch',
  'non-finite',
  'future-ts',
  'not-authorized',
  'too-large',
  // A reading at or after its meter's decommission (contract 8.1).
  'decommissioned',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export interface QuarantineInput {
  readonly topic: string;
  /** The payload as received (or the rejected element of an array, re-serialised). */
  readonly payload: string;
  readonly reason: QuarantineReason;
  readonly detail: string;
  readonly receivedAt: number;
  readonly enterprise?: string;
  readonly meter?: string;
  readonly clientId?: string;
  /** Where the message came from (journal position): quarantining it again is a no-op. */
  readonly sourceRef?: string;
}

export interface QuarantineRecord extends QuarantineInput {
  readonly id: number;
  readonly status: 'open' | 'replayed';
  readonly attempts: number;
  readonly replayedAt?: number;
}

export interface QuarantineFilter {
  readonly status?: 'open' | 'replayed' | 'all';
  readonly reason?: QuarantineReason;
  readonly enterprise?: string;
  readonly ids?: readonly number[];
  /** Only records with a larger id (for reading through in id order, page by page). */
  readonly afterId?: number;
  readonly limit?: number;
  readonly offset?: number;
  /** `oldest` (default) or `newest` first. */
  readonly order?: 'oldest' | 'newest';
}

interface QuarantineRow {
  id: number;
  topic: string;
  payload: string;
  reason: string;
  detail: string;
  received_at: number;
  source_ref: string | null;
  enterprise: string | null;
  meter: string | null;
  client_id: string | null;
  status: string;
  attempts: number;
  replayed_at: number | null;
}

function toRecord(r: QuarantineRow): QuarantineRecord {
  return {
    id: r.id,
    topic: r.topic,
    payload: r.payload,
    reason: r.reason as QuarantineReason,
    detail: r.detail,
    receivedAt: r.received_at,
    ...(r.enterprise !== null && { enterprise: r.enterprise }),
    ...(r.meter !== null && { meter: r.meter }),
    ...(r.client_id !== null && { clientId: r.client_id }),
    status: r.status === 'replayed' ? 'replayed' : 'open',
    attempts: r.attempts,
    ...(r.replayed_at !== null && { replayedAt: r.replayed_at }),
  };
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
    received_at INTEGER NOT NULL, enterprise TEXT, meter TEXT, client_id TEXT,
    status TEXT NOT NULL DEFAULT 'open', attempts INTEGER NOT NULL DEFAULT 0, replayed_at INTEGER);
  CREATE INDEX IF NOT EXISTS quarantine_by_status ON quarantine (status, id);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS data_quality_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT NOT NULL,
    ts INTEGER NOT NULL, detail TEXT, recorded_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS data_quality_by_enterprise ON data_quality_event (enterprise, ts);
  CREATE INDEX IF NOT EXISTS data_quality_by_recorded ON data_quality_event (recorded_at);
  CREATE INDEX IF NOT EXISTS quarantine_by_received ON quarantine (received_at);
`;

/** The WHERE clause of a filter; `where` undefined when it can match nothing (an empty id list). */
function quarantineWhere(filter: QuarantineFilter): { where?: string; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const status = filter.status ?? 'open';
  if (status !== 'all') {
    where.push('status = ?');
    params.push(status);
  }
  if (filter.reason) {
    where.push('reason = ?');
    params.push(filter.reason);
  }
  if (filter.enterprise) {
    where.push('enterprise = ?');
    params.push(filter.enterprise);
  }
  if (filter.afterId !== undefined) {
    where.push('id > ?');
    params.push(filter.afterId);
  }
  if (filter.ids) {
    if (filter.ids.length === 0) return { params };
    where.push(`id IN (${filter.ids.map(() => '?').join(',')})`);
    params.push(...filter.ids);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export class StateStore extends SqliteBacked {
  /**
   * `sourceRefPrefix` names the journal that sourceRefs point into: instances sharing one state.db
   * with journals of their own (shards) would otherwise collide on equal journal positions.
   */
  constructor(private readonly options: { path: string; sourceRefPrefix?: string }) {
    super(options.path, SCHEMA);
  }

  override async start(): Promise<void> {
    await super.start();
    const db = this.conn();
    this.addMissingColumns('quarantine', { source_ref: 'TEXT' });
    db.exec('CREATE UNIQUE INDEX IF NOT EXISTS quarantine_by_source ON quarantine (source_ref)');
  }

  /** Records rejected messages in one transaction; returns those newly added (not already there). */
  quarantine(items: readonly QuarantineInput[]): QuarantineInput[] {
    const db = this.conn();
    // OR IGNORE: a message read again from the journal (after a crash or a failed write) is already here.
    const stmt = this
      .statement(`INSERT OR IGNORE INTO quarantine (topic, payload, reason, detail, received_at, enterprise, meter, client_id, source_ref)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return db.transaction(() =>
      items.filter(
        (q) =>
          stmt.run(
            q.topic,
            q.payload,
            q.reason,
            q.detail,
            q.receivedAt,
            q.enterprise ?? null,
            q.meter ?? null,
            q.clientId ?? null,
            q.sourceRef === undefined ? null : `${this.options.sourceRefPrefix ?? ''}${q.sourceRef}`,
          ).changes > 0,
      ),
    )();
  }

  listQuarantine(filter: QuarantineFilter = {}): QuarantineRecord[] {
    const { where, params } = quarantineWhere(filter);
    if (where === undefined) return [];
    const sql = `SELECT * FROM quarantine ${where} ORDER BY id ${filter.order === 'newest' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`;
    return (this.statement(sql).all(...params, filter.limit ?? 1000, filter.offset ?? 0) as QuarantineRow[]).map(toRecord);
  }

  /** How many records match `filter` (its limit and offset aside). */
  countQuarantineMatching(filter: QuarantineFilter = {}): number {
    const { where, params } = quarantineWhere(filter);
    if (where === undefined) return 0;
    return (this.statement(`SELECT COUNT(*) AS n FROM quarantine ${where}`).get(...params) as { n: number }).n;
  }

  /** One record, whole. */
  quarantineRecord(id: number): QuarantineRecord | undefined {
    const row = this.statement('SELECT * FROM quarantine WHERE id = ?').get(id) as QuarantineRow | undefined;
    return row && toRecord(row);
  }

  countQuarantine(): Record<string, number> {
    const rows = this.statement("SELECT reason, COUNT(*) AS n FROM quarantine WHERE status = 'open' GROUP BY reason").all() as {
      reason: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  /**
   * After a replay: accepted ones are marked replayed; rejected again keep their place with the new
   * reason, and with `payload` when part of them was stored (the elements still rejected).
   */
  settleReplay(
    id: number,
    outcome: { accepted: true; at: number } | { accepted: false; reason: QuarantineReason; detail: string; payload?: string },
  ): void {
    if (outcome.accepted)
      this.statement("UPDATE quarantine SET status = 'replayed', attempts = attempts + 1, replayed_at = ? WHERE id = ?").run(outcome.at, id);
    else if (outcome.payload !== undefined)
      this.statement('UPDATE quarantine SET reason = ?, detail = ?, payload = ?, attempts = attempts + 1 WHERE id = ?').run(
        outcome.reason,
        outcome.detail,
        outcome.payload,
        id,
      );
    else this.statement('UPDATE quarantine SET reason = ?, detail = ?, attempts = attempts + 1 WHERE id = ?').run(outcome.reason, outcome.detail, id);
  }

  recordDataQuality(events: readonly DataQualityEvent[], at: number): void {
    if (events.length === 0) return;
    const db = this.conn();
    const stmt = this.statement('INSERT INTO data_quality_event (kind, enterprise, meter, ts, detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const e of events) stmt.run(e.kind, e.enterprise, e.meter, e.ts, e.detail ?? null, at);
    })();
  }

  /** Data-quality events recorded since `since`, counted per enterprise, meter and kind. */
  dataQualityCounts(since: number, until: number): { enterprise: string; meter: string; kind: DataQualityKind; n: number }[] {
    return this.statement(
      `SELECT enterprise, meter, kind, COUNT(*) AS n FROM data_quality_event
        WHERE recorded_at >= ? AND recorded_at <= ? GROUP BY enterprise, meter, kind`,
    ).all(since, until) as { enterprise: string; meter: string; kind: DataQualityKind; n: number }[];
  }

  /** Messages quarantined since `since` (received time), per enterprise. */
  quarantineCounts(since: number, until: number): { enterprise: string; n: number }[] {
    return this.statement(
      `SELECT enterprise, COUNT(*) AS n FROM quarantine WHERE received_at >= ? AND received_at <= ? AND enterprise IS NOT NULL
        GROUP BY enterprise`,
    ).all(since, until) as { enterprise: string; n: number }[];
  }
}
