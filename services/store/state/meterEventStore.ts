/**
 * Meter events of the ledger (contract 8.1) in the state database: one row per event, never
 * overwritten. A retraction only fills `retracted_by`/`retracted_at`, so the history of what was
 * believed when stays readable. The event body is kept as JSON (its fields differ by type) beside
 * the columns that are searched on.
 *
 * `pending` marks an event (recorded or retracted) whose recomputation has not been confirmed yet:
 * set in the same statement that records or retracts it, cleared by settle() once the hours follow
 * it. `changed_at` is the last time the row changed (recorded, retracted, settled), for the other
 * instances sharing this file, which poll it (MeterEventService).
 */
import type { MeterEvent, MeterEventInput } from '../../energy/meterEvents';
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meter_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL,
    recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL, retracted_by TEXT, retracted_at INTEGER,
    pending INTEGER NOT NULL DEFAULT 0, changed_at INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS meter_event_meter ON meter_event (enterprise, meter, at);
  CREATE INDEX IF NOT EXISTS meter_event_recorded ON meter_event (recorded_at);
  CREATE INDEX IF NOT EXISTS meter_event_retracted ON meter_event (retracted_at);
`;

/** Added after the first release: a file from before gets them (nothing pending, changed when recorded). */
const LATER_COLUMNS = { pending: 'INTEGER NOT NULL DEFAULT 0', changed_at: 'INTEGER NOT NULL DEFAULT 0' };

/** An event with its recomputation mark, as another instance polls it. */
export interface MeterEventChange {
  readonly event: MeterEvent;
  /** Its recomputation (after recording or retraction) is not confirmed yet. */
  readonly pending: boolean;
  readonly changedAt: number;
}

interface Row {
  id: number;
  enterprise: string;
  meter: string;
  body: string;
  recorded_by: string;
  recorded_at: number;
  retracted_by: string | null;
  retracted_at: number | null;
  pending: number;
  changed_at: number;
}

const COLUMNS = 'id, enterprise, meter, body, recorded_by, recorded_at, retracted_by, retracted_at, pending, changed_at';
const changeOf = (r: Row): MeterEventChange => ({ event: fromRow(r), pending: r.pending !== 0, changedAt: r.changed_at });

function fromRow(r: Row): MeterEvent {
  const body = JSON.parse(r.body) as MeterEventInput;
  return {
    ...body,
    id: r.id,
    enterprise: r.enterprise,
    meter: r.meter,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
    ...(r.retracted_by !== null ? { retractedBy: r.retracted_by } : {}),
    ...(r.retracted_at !== null ? { retractedAt: r.retracted_at } : {}),
  };
}

/** Only the fields of the input, whatever else the caller's object carries. */
function bodyOf(input: MeterEventInput): MeterEventInput {
  switch (input.type) {
    case 'replace':
      return {
        type: 'replace',
        at: input.at,
        ...(input.oldFinalRegister !== undefined ? { oldFinalRegister: input.oldFinalRegister } : {}),
        ...(input.newInitialRegister !== undefined ? { newInitialRegister: input.newInitialRegister } : {}),
        ...(input.multiplier !== undefined ? { multiplier: input.multiplier } : {}),
        ...(input.rollover !== undefined ? { rollover: input.rollover } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
    case 'multiplier':
      return {
        type: 'multiplier',
        at: input.at,
        multiplier: input.multiplier,
        ...(input.register !== undefined ? { register: input.register } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
    case 'decommission':
      return {
        type: 'decommission',
        at: input.at,
        ...(input.finalRegister !== undefined ? { finalRegister: input.finalRegister } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
    case 'calibration':
      return {
        type: 'calibration',
        at: input.at,
        validUntil: input.validUntil,
        ...(input.certificate !== undefined ? { certificate: input.certificate } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
      };
  }
}

export class MeterEventStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  override async start(): Promise<void> {
    await super.start();
    const db = this.conn();
    this.addMissingColumns('meter_event', LATER_COLUMNS);
    db.exec('CREATE INDEX IF NOT EXISTS meter_event_changed ON meter_event (changed_at)');
    db.exec('CREATE INDEX IF NOT EXISTS meter_event_pending ON meter_event (pending) WHERE pending <> 0');
  }

  /**
   * Stores the event, marked pending (its recomputation is owed until settle()). `check` receives
   * the meter's events in force as this file holds them, inside the insert's transaction, and
   * refuses the insert by throwing (nothing is stored; the error is rethrown): instances sharing the
   * file cannot both pass it (e.g. two decommissions, two cuts at one instant). The transaction is
   * BEGIN IMMEDIATE: better-sqlite3's plain `transaction()` is BEGIN DEFERRED, which lets another
   * connection write between the check's read and the insert (and in WAL mode fails the insert with
   * SQLITE_BUSY rather than waiting); IMMEDIATE takes the write lock before the read, waiting for
   * it up to the busy timeout (5 s).
   */
  record(
    input: MeterEventInput & { enterprise: string; meter: string },
    by: string,
    at: number,
    check?: (inForce: readonly MeterEvent[]) => void,
  ): MeterEvent {
    const body = bodyOf(input);
    const insert = this.conn().transaction((): number => {
      check?.(this.inForce(input.enterprise, input.meter));
      const info = this.statement(
        `INSERT INTO meter_event (enterprise, meter, type, at, body, recorded_by, recorded_at, pending, changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
      ).run(input.enterprise, input.meter, body.type, body.at, JSON.stringify(body), by, at, at);
      return Number(info.lastInsertRowid);
    });
    return this.get(insert.immediate())!;
  }

  /**
   * Marks the event retracted, and pending; an event already retracted keeps its first retraction.
   * Undefined: no such event.
   */
  retract(id: number, by: string, at: number): MeterEvent | undefined {
    this.statement(
      'UPDATE meter_event SET retracted_by = ?, retracted_at = ?, pending = 1, changed_at = ? WHERE id = ? AND retracted_at IS NULL',
    ).run(by, at, at, id);
    return this.get(id);
  }

  /**
   * The hours follow the event as recorded (`retracted` false) or as retracted (true): clears its
   * pending mark, unless the row has changed state since (a retraction meanwhile stays owed).
   */
  settle(id: number, retracted: boolean, at: number): void {
    this.statement('UPDATE meter_event SET pending = 0, changed_at = ? WHERE id = ? AND pending <> 0 AND (retracted_at IS NOT NULL) = ?').run(
      at,
      id,
      retracted ? 1 : 0,
    );
  }

  isPending(id: number): boolean {
    const row = this.statement('SELECT pending FROM meter_event WHERE id = ?').get(id) as { pending: number } | undefined;
    return row !== undefined && row.pending !== 0;
  }

  /** Every event whose recomputation is owed, recorded or retracted, by data time then id. */
  pending(): MeterEvent[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE pending <> 0 ORDER BY at, id`).all() as Row[];
    return rows.map(fromRow);
  }

  /** Rows changed (recorded, retracted, settled) at or after `t`, in the order they changed. */
  changedSince(t: number): MeterEventChange[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE changed_at >= ? ORDER BY changed_at, id`).all(t) as Row[];
    return rows.map(changeOf);
  }

  get(id: number): MeterEvent | undefined {
    const row = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE id = ?`).get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Every event of the meter, retracted ones included, by data time then id. */
  list(enterprise: string, meter: string): MeterEvent[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE enterprise = ? AND meter = ? ORDER BY at, id`).all(
      enterprise,
      meter,
    ) as Row[];
    return rows.map(fromRow);
  }

  /** The meter's events in force (not retracted), by data time then id. */
  inForce(enterprise: string, meter: string): MeterEvent[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE enterprise = ? AND meter = ? AND retracted_at IS NULL ORDER BY at, id`).all(
      enterprise,
      meter,
    ) as Row[];
    return rows.map(fromRow);
  }

  /** Every event in force (not retracted), all meters, by data time then id. */
  active(): MeterEvent[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE retracted_at IS NULL ORDER BY at, id`).all() as Row[];
    return rows.map(fromRow);
  }

  /** Events recorded or retracted at or after `t` (recordedAt/retractedAt, not data time). */
  recordedSince(t: number): MeterEvent[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM meter_event WHERE recorded_at >= ? OR retracted_at >= ? ORDER BY at, id`).all(t, t) as Row[];
    return rows.map(fromRow);
  }
}
