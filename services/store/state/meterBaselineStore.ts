/**
 * The base model of each meter with history (contract 8.1, docs/ledger/meter-events.md "Drift"):
 * the kind, unit, multiplier and rollover it had in the configuration when its history was first
 * seen, in the state database. Written once per meter, never updated: the figures keep using these
 * whatever the YAML says later (a change is recorded as a meter event instead). It also remembers
 * enterprises a later configuration may drop, so that their stored meters can still be listed as
 * orphaned.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meter_baseline (
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, kind TEXT NOT NULL, multiplier REAL NOT NULL, rollover REAL,
    first_seen_at INTEGER NOT NULL, unit TEXT, PRIMARY KEY (enterprise, meter));
`;

export interface MeterBaseline {
  readonly enterprise: string;
  readonly meter: string;
  readonly kind: string;
  /** Null only for rows remembered before the unit was (until the next remember() fills it in). */
  readonly unit: string | null;
  readonly multiplier: number;
  /** Null: the meter had no rollover configured. */
  readonly rollover: number | null;
  readonly firstSeenAt: number;
}

interface Row {
  enterprise: string;
  meter: string;
  kind: string;
  unit: string | null;
  multiplier: number;
  rollover: number | null;
  first_seen_at: number;
}

export class MeterBaselineStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  override async start(): Promise<void> {
    await super.start();
    // Baselines written before the unit was remembered get the column (filled in by remember()).
    this.addMissingColumns('meter_baseline', { unit: 'TEXT' });
  }

  all(): MeterBaseline[] {
    return (this.statement('SELECT * FROM meter_baseline ORDER BY enterprise, meter').all() as Row[]).map((r) => ({
      enterprise: r.enterprise,
      meter: r.meter,
      kind: r.kind,
      unit: r.unit,
      multiplier: r.multiplier,
      rollover: r.rollover,
      firstSeenAt: r.first_seen_at,
    }));
  }

  /**
   * Remembers these meters unless remembered already (the first values stay); a row remembered
   * before units were gets this unit.
   */
  remember(rows: readonly (Omit<MeterBaseline, 'firstSeenAt' | 'unit'> & { unit: string })[], at: number): void {
    const insert = this.statement(
      'INSERT OR IGNORE INTO meter_baseline (enterprise, meter, kind, unit, multiplier, rollover, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const fillUnit = this.statement('UPDATE meter_baseline SET unit = ? WHERE enterprise = ? AND meter = ? AND unit IS NULL');
    this.conn().transaction(() => {
      for (const r of rows) {
        insert.run(r.enterprise, r.meter, r.kind, r.unit, r.multiplier, r.rollover, at);
        fillUnit.run(r.unit, r.enterprise, r.meter);
      }
    })();
  }
}
