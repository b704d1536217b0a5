/**
 * The quarantine and the data-quality events, in the state database (SQLite under DATA_DIR by
 * default, PostgreSQL with DATABASE_URL): one SQL text for both engines, the tables made by the
 * state migrations (db/stateSchema.ts).
 */
import type { DataQualityEvent, DataQualityKind } from '../../energy/dataQuality';
import type { SqlExecutor, SqlValue } from './db/sqlExecutor';

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

/** The WHERE clause of a filter; `where` undefined when it can match nothing (an empty id list). */
function quarantineWhere(filter: QuarantineFilter): { where?: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
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

const COLUMNS = 'id, topic, payload, reason, detail, received_at, enterprise, meter, client_id, status, attempts, replayed_at';

export class StateStore {
  /**
   * `sourceRefPrefix` names the journal that sourceRefs point into: instances sharing one state
   * database with journals of their own (shards) would otherwise collide on equal journal positions.
   */
  constructor(
    private readonly db: SqlExecutor,
    private readonly options: { sourceRefPrefix?: string } = {},
  ) {}

  /** Records rejected messages in one transaction; returns those newly added (not already there). */
  async quarantine(items: readonly QuarantineInput[]): Promise<QuarantineInput[]> {
    if (items.length === 0) return [];
    // DO NOTHING: a message read again from the journal (after a crash or a failed write) is
    // already here. A NULL source_ref never conflicts, so messages without one always land. A
    // conflict still uses up an id on both engines: ids ascend, with gaps.
    const sql = `INSERT INTO quarantine (topic, payload, reason, detail, received_at, enterprise, meter, client_id, source_ref)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source_ref) DO NOTHING RETURNING id`;
    return this.db.transaction(async (tx) => {
      const added: QuarantineInput[] = [];
      for (const q of items) {
        const row = await tx.get<{ id: number }>(sql, [
          q.topic,
          q.payload,
          q.reason,
          q.detail,
          q.receivedAt,
          q.enterprise ?? null,
          q.meter ?? null,
          q.clientId ?? null,
          q.sourceRef === undefined ? null : `${this.options.sourceRefPrefix ?? ''}${q.sourceRef}`,
        ]);
        if (row !== undefined) added.push(q);
      }
      return added;
    });
  }

  async listQuarantine(filter: QuarantineFilter = {}): Promise<QuarantineRecord[]> {
    const { where, params } = quarantineWhere(filter);
    if (where === undefined) return [];
    const sql = `SELECT ${COLUMNS} FROM quarantine ${where} ORDER BY id ${filter.order === 'newest' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`;
    const rows = await this.db.all<QuarantineRow>(sql, [...params, filter.limit ?? 1000, filter.offset ?? 0]);
    return rows.map(toRecord);
  }

  /** How many records match `filter` (its limit and offset aside). */
  async countQuarantineMatching(filter: QuarantineFilter = {}): Promise<number> {
    const { where, params } = quarantineWhere(filter);
    if (where === undefined) return 0;
    const row = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM quarantine ${where}`, params);
    return row?.n ?? 0;
  }

  /** One record, whole. */
  async quarantineRecord(id: number): Promise<QuarantineRecord | undefined> {
    const row = await this.db.get<QuarantineRow>(`SELECT ${COLUMNS} FROM quarantine WHERE id = ?`, [id]);
    return row && toRecord(row);
  }

  async countQuarantine(): Promise<Record<string, number>> {
    const rows = await this.db.all<{ reason: string; n: number }>(
      "SELECT reason, COUNT(*) AS n FROM quarantine WHERE status = 'open' GROUP BY reason",
    );
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  /**
   * After a replay: accepted ones are marked replayed; rejected again keep their place with the new
   * reason, and with `payload` when part of them was stored (the elements still rejected).
   */
  async settleReplay(
    id: number,
    outcome: { accepted: true; at: number } | { accepted: false; reason: QuarantineReason; detail: string; payload?: string },
  ): Promise<void> {
    if (outcome.accepted)
      await this.db.run("UPDATE quarantine SET status = 'replayed', attempts = attempts + 1, replayed_at = ? WHERE id = ?", [outcome.at, id]);
    else if (outcome.payload !== undefined)
      await this.db.run('UPDATE quarantine SET reason = ?, detail = ?, payload = ?, attempts = attempts + 1 WHERE id = ?', [
        outcome.reason,
        outcome.detail,
        outcome.payload,
        id,
      ]);
    else
      await this.db.run('UPDATE quarantine SET reason = ?, detail = ?, attempts = attempts + 1 WHERE id = ?', [outcome.reason, outcome.detail, id]);
  }

  /** Records the events in one transaction (one fsync on SQLite). */
  async recordDataQuality(events: readonly DataQualityEvent[], at: number): Promise<void> {
    if (events.length === 0) return;
    const sql = 'INSERT INTO data_quality_event (kind, enterprise, meter, ts, detail, recorded_at) VALUES (?, ?, ?, ?, ?, ?)';
    await this.db.transaction(async (tx) => {
      for (const e of events) await tx.run(sql, [e.kind, e.enterprise, e.meter, e.ts, e.detail ?? null, at]);
    });
  }

  /** Data-quality events recorded since `since`, counted per enterprise, meter and kind. */
  async dataQualityCounts(since: number, until: number): Promise<{ enterprise: string; meter: string; kind: DataQualityKind; n: number }[]> {
    return this.db.all<{ enterprise: string; meter: string; kind: DataQualityKind; n: number }>(
      `SELECT enterprise, meter, kind, COUNT(*) AS n FROM data_quality_event
        WHERE recorded_at >= ? AND recorded_at <= ? GROUP BY enterprise, meter, kind`,
      [since, until],
    );
  }

  /** Messages quarantined since `since` (received time), per enterprise. */
  async quarantineCounts(since: number, until: number): Promise<{ enterprise: string; n: number }[]> {
    return this.db.all<{ enterprise: string; n: number }>(
      `SELECT enterprise, COUNT(*) AS n FROM quarantine WHERE received_at >= ? AND received_at <= ? AND enterprise IS NOT NULL
        GROUP BY enterprise`,
      [since, until],
    );
  }
}
