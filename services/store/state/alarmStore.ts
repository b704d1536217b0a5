/**
 * Alarms, kept durably in the state database (SQLite under DATA_DIR): they survive restarts. One open alarm per (type, enterprise, meter) is enforced by the schema.
 */
import type { Alarm, AlarmFigure, AlarmState, AlarmType, Severity } from '../../energy/alarm';
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS alarm (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, enterprise TEXT NOT NULL, meter TEXT,
    severity TEXT NOT NULL, state TEXT NOT NULL, value REAL, threshold REAL, unit TEXT,
    period_from TEXT, period_to TEXT, basis TEXT, message TEXT NOT NULL,
    raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, cleared_at INTEGER, ack_at INTEGER, ack_by TEXT);
  CREATE UNIQUE INDEX IF NOT EXISTS alarm_one_open ON alarm (type, enterprise, IFNULL(meter, '')) WHERE state != 'cleared';
  CREATE INDEX IF NOT EXISTS alarm_by_enterprise ON alarm (enterprise, raised_at);
  CREATE INDEX IF NOT EXISTS alarm_by_raised ON alarm (raised_at);
  -- Added with issue 21: the acknowledgement comment and later notes (处置意见), never updated in
  -- place; an older state.db gets the table on its next start (IF NOT EXISTS).
  CREATE TABLE IF NOT EXISTS alarm_note (
    id INTEGER PRIMARY KEY AUTOINCREMENT, alarm_id INTEGER NOT NULL REFERENCES alarm (id),
    kind TEXT NOT NULL, author TEXT NOT NULL, at INTEGER NOT NULL, text TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS alarm_note_by_alarm ON alarm_note (alarm_id, id);
`;

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

export class AlarmStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  /** The open (active or acknowledged) alarm of a key, if any. */
  open(type: AlarmType, enterprise: string, meter: string | null): Alarm | undefined {
    const row = this.statement("SELECT * FROM alarm WHERE type = ? AND enterprise = ? AND IFNULL(meter, '') = ? AND state != 'cleared'").get(
      type,
      enterprise,
      meter ?? '',
    ) as AlarmRow | undefined;
    return row ? toAlarm(row) : undefined;
  }

  /**
   * Runs `work` as one transaction: the rule cycle's raises, updates and clears are one commit
   * (one fsync with synchronous = FULL) instead of one each, and all or none of them land.
   */
  transaction<T>(work: () => T): T {
    // IMMEDIATE: it reads the open alarms and then writes; a deferred transaction could not
    // upgrade to a writer if another process (a scaled-out instance) committed in between.
    return this.conn().transaction(work).immediate();
  }

  openAlarms(): Alarm[] {
    return (this.statement("SELECT * FROM alarm WHERE state != 'cleared' ORDER BY id").all() as AlarmRow[]).map(toAlarm);
  }

  /** Alarms not cleared, counted by severity (the metrics' gauge). */
  openCountsBySeverity(): Record<Alarm['severity'], number> {
    const counts: Record<Alarm['severity'], number> = { info: 0, warning: 0, critical: 0 };
    for (const a of this.openAlarms()) counts[a.severity]++;
    return counts;
  }

  raise(a: NewAlarm, at: number): Alarm {
    const info = this.statement(
      `INSERT INTO alarm (type, enterprise, meter, severity, state, value, threshold, unit, period_from, period_to, basis, message, raised_at, updated_at)
      VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      a.type,
      a.enterprise,
      a.meter,
      a.severity,
      a.value,
      a.threshold,
      a.unit,
      a.periodFrom ?? null,
      a.periodTo ?? null,
      a.basis ?? null,
      a.message,
      at,
      at,
    );
    return this.get(Number(info.lastInsertRowid))!;
  }

  /** New figures (and possibly a new severity) for an open alarm; an escalation makes it active again. */
  update(id: number, a: NewAlarm, at: number, escalated: boolean): Alarm {
    this.statement(
      `UPDATE alarm SET severity = ?, value = ?, threshold = ?, unit = ?, period_from = ?, period_to = ?, basis = ?, message = ?, updated_at = ?
        ${escalated ? ", state = 'active', ack_at = NULL, ack_by = NULL" : ''} WHERE id = ?`,
    ).run(a.severity, a.value, a.threshold, a.unit, a.periodFrom ?? null, a.periodTo ?? null, a.basis ?? null, a.message, at, id);
    return this.get(id)!;
  }

  clear(id: number, at: number): Alarm {
    this.statement("UPDATE alarm SET state = 'cleared', cleared_at = ?, updated_at = ? WHERE id = ?").run(at, at, id);
    return this.get(id)!;
  }

  /**
   * Records who acknowledged and when, with the comment (处置意见) if any, in one transaction;
   * only an active alarm can be acknowledged.
   */
  acknowledge(id: number, by: string, at: number, comment?: string): Alarm | undefined {
    return this.conn()
      .transaction(() => {
        const info = this.statement(
          "UPDATE alarm SET state = 'acknowledged', ack_at = ?, ack_by = ?, updated_at = ? WHERE id = ? AND state = 'active'",
        ).run(at, by, at, id);
        if (info.changes === 0) return undefined;
        if (comment !== undefined) this.insertNote(id, 'ack', by, at, comment);
        return this.get(id);
      })
      .immediate();
  }

  /** A later comment on an alarm in any state; earlier ones stay as they were. */
  addNote(alarmId: number, by: string, at: number, text: string): AlarmNote {
    return this.insertNote(alarmId, 'note', by, at, text);
  }

  private insertNote(alarmId: number, kind: AlarmNote['kind'], by: string, at: number, text: string): AlarmNote {
    const info = this.statement('INSERT INTO alarm_note (alarm_id, kind, author, at, text) VALUES (?, ?, ?, ?, ?)').run(alarmId, kind, by, at, text);
    return { id: Number(info.lastInsertRowid), alarmId, kind, by, at, text };
  }

  /** The notes of these alarms, oldest first per alarm. */
  notesOf(alarmIds: readonly number[]): Map<number, AlarmNote[]> {
    const out = new Map<number, AlarmNote[]>();
    // Chunks stay far below SQLite's bound on host parameters.
    for (let i = 0; i < alarmIds.length; i += 500) {
      const chunk = alarmIds.slice(i, i + 500);
      const sql = `SELECT * FROM alarm_note WHERE alarm_id IN (${chunk.map(() => '?').join(',')}) ORDER BY alarm_id, id`;
      for (const row of this.statement(sql).all(...chunk) as NoteRow[]) {
        const list = out.get(row.alarm_id) ?? [];
        list.push(toNote(row));
        out.set(row.alarm_id, list);
      }
    }
    return out;
  }

  get(id: number): Alarm | undefined {
    const row = this.statement('SELECT * FROM alarm WHERE id = ?').get(id) as AlarmRow | undefined;
    return row ? toAlarm(row) : undefined;
  }

  list(filter: AlarmFilter = {}): Alarm[] {
    return this.query({ ...filter, ...(filter.type && { types: [filter.type] }), limit: filter.limit ?? 1000 }).alarms;
  }

  /** One page of the alarms matching `q`, newest raised first, and how many match in all. */
  query(q: AlarmQuery): { alarms: Alarm[]; total: number } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const state = q.state ?? 'active';
    if (state === 'open') where.push("state != 'cleared'");
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
      where.push(`${column} IN (${values.map(() => '?').join(',')})`);
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
    const total = (this.statement(`SELECT COUNT(*) AS n FROM alarm ${clause}`).get(...params) as { n: number }).n;
    const rows = this.statement(`SELECT * FROM alarm ${clause} ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?`).all(
      ...params,
      q.limit,
      q.offset ?? 0,
    ) as AlarmRow[];
    return { alarms: rows.map(toAlarm), total };
  }

  /** Alarms raised in [from, to), per enterprise and severity (monthly report). */
  raisedCounts(from: number, to: number): { enterprise: string; severity: Severity; n: number }[] {
    return this.statement(
      'SELECT enterprise, severity, COUNT(*) AS n FROM alarm WHERE raised_at >= ? AND raised_at < ? GROUP BY enterprise, severity',
    ).all(from, to) as { enterprise: string; severity: Severity; n: number }[];
  }
}
