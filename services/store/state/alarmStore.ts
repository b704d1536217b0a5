/**
 * Alarms, kept durably in the state database (SQLite under DATA_DIR, or PostgreSQL): they survive
 * restarts. One open alarm per (type, enterprise, meter) is enforced by the schema (alarm_one_open).
 */
import type { Alarm, AlarmFigure, AlarmState, AlarmType, Severity } from '../../energy/alarm';
import { byText, type Dialect, type SqlExecutor, type SqlValue } from './db/sqlExecutor';

interface AlarmRow {
  id: number;
  type: string;
  enterprise: string;
  meter: string | null;
  severity: string;
  state: string;
  value: number | null;
  threshold: number | null;
  unit: string | null;
  period_from: string | null;
  period_to: string | null;
  basis: string | null;
  message: string;
  raised_at: number;
  updated_at: number;
  cleared_at: number | null;
  ack_at: number | null;
  ack_by: string | null;
}

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id,
    type: r.type as AlarmType,
    enterprise: r.enterprise,
    meter: r.meter,
    severity: r.severity as Severity,
    state: r.state as AlarmState,
    value: r.value,
    threshold: r.threshold,
    unit: r.unit,
    message: r.message,
    ...(r.period_from !== null && { periodFrom: r.period_from }),
    ...(r.period_to !== null && { periodTo: r.period_to }),
    ...(r.basis !== null && { basis: r.basis }),
    raisedAt: r.raised_at,
    updatedAt: r.updated_at,
    clearedAt: r.cleared_at,
    acknowledgedAt: r.ack_at,
    acknowledgedBy: r.ack_by,
  };
}

export interface AlarmFilter {
  /** `open`: active or acknowledged (not cleared), the set the overview counts. */
  readonly state?: AlarmState | 'open' | 'all';
  readonly enterprise?: string;
  readonly type?: AlarmType;
  readonly limit?: number;
}

/** The alarm history's filters (issue 21): each list empty or absent = any. */
export interface AlarmQuery {
  readonly state?: AlarmState | 'open' | 'all';
  readonly enterprise?: string;
  readonly types?: readonly AlarmType[];
  readonly severities?: readonly Severity[];
  /** raisedAt within [fromMs, toMs), epoch ms. */
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit: number;
  readonly offset?: number;
}

/** A comment on an alarm: the one given with the acknowledgement (`ack`) or a later one (`note`). */
export interface AlarmNote {
  readonly id: number;
  readonly alarmId: number;
  readonly kind: 'ack' | 'note';
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  readonly text: string;
}

interface NoteRow {
  id: number;
  alarm_id: number;
  kind: string;
  author: string;
  at: number;
  text: string;
}

const toNote = (r: NoteRow): AlarmNote => ({
  id: r.id,
  alarmId: r.alarm_id,
  kind: r.kind === 'ack' ? 'ack' : 'note',
  by: r.author,
  at: r.at,
  text: r.text,
});

export interface NewAlarm extends AlarmFigure {
  readonly type: AlarmType;
  readonly enterprise: string;
  readonly meter: string | null;
  readonly severity: Severity;
  readonly message: string;
}

const ALARM_COLUMNS = `type, enterprise, meter, state, severity, value, threshold, unit, period_from, period_to, basis, message, raised_at, updated_at`;
const FIGURES = 'severity = ?, value = ?, threshold = ?, unit = ?, period_from = ?, period_to = ?, basis = ?, message = ?, updated_at = ?';

/** The figures of a raise or update, in FIGURES' order (without updated_at). */
const figures = (a: NewAlarm): SqlValue[] => [
  a.severity,
  a.value,
  a.threshold,
  a.unit,
  a.periodFrom ?? null,
  a.periodTo ?? null,
  a.basis ?? null,
  a.message,
];

const OPEN_BY_KEY: Readonly<Record<Dialect, string>> = {
  sqlite: "SELECT * FROM alarm WHERE type = ? AND enterprise = ? AND IFNULL(meter, '') = ? AND state <> 'cleared'",
  postgres: "SELECT * FROM alarm WHERE type = ? AND enterprise = ? AND COALESCE(meter, '') = ? AND state <> 'cleared'",
};

export class AlarmStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * The open (active or acknowledged) alarm of a key, if any. The rule engine asks this for every
   * condition of every cycle, so it is one lookup of the whole key in alarm_one_open: the meter is
   * compared through the index's own expression (and its predicate repeated), which the schema
   * writes as IFNULL on SQLite (kept from files before versioning) and COALESCE on PostgreSQL. With
   * COALESCE on SQLite the index only narrows to (type, enterprise): ten times slower with 2000
   * silent meters in one enterprise, and quadratic beyond.
   */
  async open(type: AlarmType, enterprise: string, meter: string | null): Promise<Alarm | undefined> {
    const row = await this.db.get<AlarmRow>(OPEN_BY_KEY[this.db.dialect], [type, enterprise, meter ?? '']);
    return row ? toAlarm(row) : undefined;
  }

  /**
   * Runs `work` as one transaction, with a store bound to it: the rule cycle's raises, updates and
   * clears are one commit (one fsync on SQLite) and all or none of them land. Under the 'alarm'
   * lock, so that two instances cannot both find a key without an open alarm and both raise it.
   */
  async transaction<T>(work: (alarms: AlarmStore) => Promise<T>, guard?: (tx: SqlExecutor) => Promise<void>): Promise<T> {
    return this.db.transaction(
      async (tx) => {
        // The guard (the rules lease's fencing check) runs first, inside: a holder that lost the lease writes nothing.
        await guard?.(tx);
        return work(new AlarmStore(tx));
      },
      { lock: 'alarm' },
    );
  }

  async openAlarms(): Promise<Alarm[]> {
    return (await this.db.all<AlarmRow>("SELECT * FROM alarm WHERE state <> 'cleared' ORDER BY id")).map(toAlarm);
  }

  /** Alarms not cleared, counted by severity (the metrics' gauge). */
  async openCountsBySeverity(): Promise<Record<Alarm['severity'], number>> {
    const counts: Record<Alarm['severity'], number> = { info: 0, warning: 0, critical: 0 };
    const rows = await this.db.all<{ severity: Severity; n: number }>(
      "SELECT severity, COUNT(*) AS n FROM alarm WHERE state <> 'cleared' GROUP BY severity",
    );
    for (const r of rows) counts[r.severity] = (counts[r.severity] ?? 0) + r.n;
    return counts;
  }

  /** Fails (StateDbError) if the key already has an open alarm. */
  async raise(a: NewAlarm, at: number): Promise<Alarm> {
    const row = await this.db.get<AlarmRow>(
      `INSERT INTO alarm (${ALARM_COLUMNS}) VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [a.type, a.enterprise, a.meter, ...figures(a), at, at],
    );
    return toAlarm(row!);
  }

  /**
   * New figures (and possibly a new severity) for an open alarm; an escalation makes it active
   * again. Like clear(), resolves to undefined for an unknown id (callers pass ids they just read).
   */
  async update(id: number, a: NewAlarm, at: number, escalated: boolean): Promise<Alarm> {
    const sql = escalated
      ? `UPDATE alarm SET ${FIGURES}, state = 'active', ack_at = NULL, ack_by = NULL WHERE id = ? RETURNING *`
      : `UPDATE alarm SET ${FIGURES} WHERE id = ? RETURNING *`;
    const row = await this.db.get<AlarmRow>(sql, [...figures(a), at, id]);
    return (row && toAlarm(row))!;
  }

  async clear(id: number, at: number): Promise<Alarm> {
    const row = await this.db.get<AlarmRow>("UPDATE alarm SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ? RETURNING *", [
      at,
      at,
      id,
    ]);
    return (row && toAlarm(row))!;
  }

  /**
   * Records who acknowledged and when, with the comment (处置意见) if any, in one transaction;
   * only an active alarm can be acknowledged. No 'alarm' lock: the conditional UPDATE is the
   * check, atomic on both engines, and need not wait for a rule cycle on PostgreSQL.
   */
  async acknowledge(id: number, by: string, at: number, comment?: string): Promise<Alarm | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await tx.get<AlarmRow>(
        "UPDATE alarm SET state = 'acknowledged', ack_at = ?, ack_by = ?, updated_at = ? WHERE id = ? AND state = 'active' RETURNING *",
        [at, by, at, id],
      );
      if (!row) return undefined;
      if (comment !== undefined) await insertNote(tx, id, 'ack', by, at, comment);
      return toAlarm(row);
    });
  }

  /** A later comment on an alarm in any state; earlier ones stay as they were. */
  async addNote(alarmId: number, by: string, at: number, text: string): Promise<AlarmNote> {
    return insertNote(this.db, alarmId, 'note', by, at, text);
  }

  /** The notes of these alarms, oldest first per alarm. */
  async notesOf(alarmIds: readonly number[]): Promise<Map<number, AlarmNote[]>> {
    const out = new Map<number, AlarmNote[]>();
    // Chunks stay far below SQLite's bound on host parameters.
    for (let i = 0; i < alarmIds.length; i += 500) {
      const chunk = alarmIds.slice(i, i + 500);
      const sql = `SELECT * FROM alarm_note WHERE alarm_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY alarm_id, id`;
      for (const row of await this.db.all<NoteRow>(sql, chunk)) {
        const list = out.get(row.alarm_id) ?? [];
        list.push(toNote(row));
        out.set(row.alarm_id, list);
      }
    }
    return out;
  }

  async get(id: number): Promise<Alarm | undefined> {
    const row = await this.db.get<AlarmRow>('SELECT * FROM alarm WHERE id = ?', [id]);
    return row ? toAlarm(row) : undefined;
  }

  async list(filter: AlarmFilter = {}): Promise<Alarm[]> {
    return (await this.query({ ...filter, ...(filter.type && { types: [filter.type] }), limit: filter.limit ?? 1000 })).alarms;
  }

  /** One page of the alarms matching `q`, newest raised first, and how many match in all. */
  async query(q: AlarmQuery): Promise<{ alarms: Alarm[]; total: number }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const state = q.state ?? 'active';
    if (state === 'open') where.push("state <> 'cleared'");
    else if (state !== 'all') {
      where.push('state = ?');
      params.push(state);
    }
    if (q.enterprise !== undefined) {
      where.push('enterprise = ?');
      params.push(q.enterprise);
    }
    const anyOf = (column: string, values: readonly string[] | undefined) => {
      if (!values || values.length === 0) return;
      where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    anyOf('type', q.types);
    anyOf('severity', q.severities);
    if (q.fromMs !== undefined) {
      where.push('raised_at >= ?');
      params.push(q.fromMs);
    }
    if (q.toMs !== undefined) {
      where.push('raised_at < ?');
      params.push(q.toMs);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM alarm ${clause}`, params);
    const rows = await this.db.all<AlarmRow>(`SELECT * FROM alarm ${clause} ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?`, [
      ...params,
      q.limit,
      q.offset ?? 0,
    ]);
    return { alarms: rows.map(toAlarm), total: count?.n ?? 0 };
  }

  /** Alarms raised in [from, to), per enterprise and severity (monthly report), ordered by both. */
  async raisedCounts(from: number, to: number): Promise<{ enterprise: string; severity: Severity; n: number }[]> {
    const rows = await this.db.all<{ enterprise: string; severity: Severity; n: number }>(
      'SELECT enterprise, severity, COUNT(*) AS n FROM alarm WHERE raised_at >= ? AND raised_at < ? GROUP BY enterprise, severity',
      [from, to],
    );
    return rows.sort(
      byText(
        (r) => r.enterprise,
        (r) => r.severity,
      ),
    );
  }
}

async function insertNote(db: SqlExecutor, alarmId: number, kind: AlarmNote['kind'], by: string, at: number, text: string): Promise<AlarmNote> {
  const row = await db.get<{ id: number }>('INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (?, ?, ?, ?, ?) RETURNING id', [
    alarmId,
    kind,
    by,
    at,
    text,
  ]);
  return { id: row!.id, alarmId, kind, by, at, text };
}
