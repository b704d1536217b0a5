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
  readonly state?: AlarmState | 'all';
  readonly enterprise?: string;
  readonly type?: AlarmType;
  readonly limit?: number;
}

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

  /** Records who acknowledged and when; only an active alarm can be acknowledged. */
  acknowledge(id: number, by: string, at: number): Alarm | undefined {
    const info = this.statement(
      "UPDATE alarm SET state = 'acknowledged', ack_at = ?, ack_by = ?, updated_at = ? WHERE id = ? AND state = 'active'",
    ).run(at, by, at, id);
    return info.changes > 0 ? this.get(id) : undefined;
  }

  get(id: number): Alarm | undefined {
    const row = this.statement('SELECT * FROM alarm WHERE id = ?').get(id) as AlarmRow | undefined;
    return row ? toAlarm(row) : undefined;
  }

  list(filter: AlarmFilter = {}): Alarm[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const state = filter.state ?? 'active';
    if (state !== 'all') {
      where.push('state = ?');
      params.push(state);
    }
    if (filter.enterprise) {
      where.push('enterprise = ?');
      params.push(filter.enterprise);
    }
    if (filter.type) {
      where.push('type = ?');
      params.push(filter.type);
    }
    const sql = `SELECT * FROM alarm ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, id DESC LIMIT ?`;
    return (this.statement(sql).all(...params, filter.limit ?? 1000) as AlarmRow[]).map(toAlarm);
  }

  /** Alarms raised in [from, to), per enterprise and severity (monthly report). */
  raisedCounts(from: number, to: number): { enterprise: string; severity: Severity; n: number }[] {
    return this.statement(
      'SELECT enterprise, severity, COUNT(*) AS n FROM alarm WHERE raised_at >= ? AND raised_at < ? GROUP BY enterprise, severity',
    ).all(from, to) as { enterprise: string; severity: Severity; n: number }[];
  }
}
