/**
 * Meter events of the ledger (contract 8.1) in the state database: one row per event, never
 * overwritten. A retraction only fills `retracted_by`/`retracted_at`, so the history of what was
 * believed when stays readable. The event body is kept as JSON (its fields differ by type) beside
 * the columns that are searched on.
 *
 * `pending` marks an event (recorded or retracted) whose recomputation has not been confirmed yet:
 * set in the same statement that records or retracts it, cleared by settle() once the hours follow
 * it. `changed_at` is the last time the row changed (recorded, retracted, settled), for the other
 * instances sharing this database, which poll it (MeterEventService).
 */
import type { MeterEvent, MeterEventInput } from '../../energy/meterEvents';
import type { SqlExecutor } from './db/sqlExecutor';

/** Serialises record() and retract(): a check must see the meter's events as they stay until its insert. */
const LOCK = { lock: 'meter_event' };

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

export class MeterEventStore {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Stores the event, marked pending (its recomputation is owed until settle()). `check` receives
   * the meter's events in force as the database holds them, inside the insert's transaction, and
   * refuses the insert by throwing (nothing is stored; the error is rethrown): instances sharing the
   * database cannot both pass it (e.g. two decommissions, two cuts at one instant). The transaction
   * takes the 'meter_event' lock before the read: SQLite's BEGIN IMMEDIATE write lock, PostgreSQL's
   * advisory lock (READ COMMITTED alone would let two hosts read the same events and both insert).
   */
  async record(
    input: MeterEventInput & { enterprise: string; meter: string },
    by: string,
    at: number,
    check?: (inForce: readonly MeterEvent[]) => void,
  ): Promise<MeterEvent> {
    const body = bodyOf(input);
    return this.db.transaction(async (tx) => {
      const store = new MeterEventStore(tx);
      check?.(await store.inForce(input.enterprise, input.meter));
      const row = await tx.get<{ id: number }>(
        `INSERT INTO meter_event (enterprise, meter, type, at, body, recorded_by, recorded_at, pending, changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`,
        [input.enterprise, input.meter, body.type, body.at, JSON.stringify(body), by, at, at],
      );
      const event = row && (await store.get(row.id));
      if (!event) throw new Error('meter_event: the inserted row is not readable in its transaction');
      return event;
    }, LOCK);
  }

  /**
   * Marks the event retracted, and pending; an event already retracted keeps its first retraction.
   * Undefined: no such event. Under record()'s lock, so that no check passes on an event that a
   * retraction removes before the insert commits.
   */
  async retract(id: number, by: string, at: number): Promise<MeterEvent | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.run('UPDATE meter_event SET retracted_by = ?, retracted_at = ?, pending = 1, changed_at = ? WHERE id = ? AND retracted_at IS NULL', [
        by,
        at,
        at,
        id,
      ]);
      return new MeterEventStore(tx).get(id);
    }, LOCK);
  }

  /**
   * The hours follow the event as recorded (`retracted` false) or as retracted (true): clears its
   * pending mark, unless the row has changed state since (a retraction meanwhile stays owed).
   */
  async settle(id: number, retracted: boolean, at: number): Promise<void> {
    // Two texts rather than comparing a boolean expression with 0/1, which PostgreSQL refuses.
    await this.db.run(
      retracted
        ? 'UPDATE meter_event SET pending = 0, changed_at = ? WHERE id = ? AND pending <> 0 AND retracted_at IS NOT NULL'
        : 'UPDATE meter_event SET pending = 0, changed_at = ? WHERE id = ? AND pending <> 0 AND retracted_at IS NULL',
      [at, id],
    );
  }

  async isPending(id: number): Promise<boolean> {
    const row = await this.db.get<{ pending: number }>('SELECT pending FROM meter_event WHERE id = ?', [id]);
    return row !== undefined && row.pending !== 0;
  }

  /** Every event whose recomputation is owed, recorded or retracted, by data time then id. */
  async pending(): Promise<MeterEvent[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE pending <> 0 ORDER BY at, id`);
    return rows.map(fromRow);
  }

  /** Rows changed (recorded, retracted, settled) at or after `t`, in the order they changed. */
  async changedSince(t: number): Promise<MeterEventChange[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE changed_at >= ? ORDER BY changed_at, id`, [t]);
    return rows.map(changeOf);
  }

  async get(id: number): Promise<MeterEvent | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE id = ?`, [id]);
    return row ? fromRow(row) : undefined;
  }

  /** Every event of the meter, retracted ones included, by data time then id. */
  async list(enterprise: string, meter: string): Promise<MeterEvent[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE enterprise = ? AND meter = ? ORDER BY at, id`, [enterprise, meter]);
    return rows.map(fromRow);
  }

  /** The meter's events in force (not retracted), by data time then id. */
  async inForce(enterprise: string, meter: string): Promise<MeterEvent[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM meter_event WHERE enterprise = ? AND meter = ? AND retracted_at IS NULL ORDER BY at, id`,
      [enterprise, meter],
    );
    return rows.map(fromRow);
  }

  /** Every event in force (not retracted), all meters, by data time then id. */
  async active(): Promise<MeterEvent[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE retracted_at IS NULL ORDER BY at, id`);
    return rows.map(fromRow);
  }

  /** Events recorded or retracted at or after `t` (recordedAt/retractedAt, not data time). */
  async recordedSince(t: number): Promise<MeterEvent[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM meter_event WHERE recorded_at >= ? OR retracted_at >= ? ORDER BY at, id`, [t, t]);
    return rows.map(fromRow);
  }
}
