/**
 * The arithmetic parameters (kind, multiplier, rollover) each meter had in the configuration when
 * its history was first seen, in the state database. Written once per meter, never updated: a later
 * YAML edit of these is a drift the operator must record as a meter event instead (contract 8.1,
 * docs/ledger/meter-events.md). It also remembers enterprises a later configuration may drop, so
 * that their stored meters can still be listed as orphaned.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meter_baseline (
    enterprise TEXT NOT NULL, meter TEXT NOT NULL, kind TEXT NOT NULL, multiplier REAL NOT NULL, rollover REAL,
    first_seen_at INTEGER NOT NULL, PRIMARY KEY (enterprise, meter));
`;

export interface MeterBaseline {
  readonly enterprise: string;
  readonly meter: string;
  readonly kind: string;
  readonly multiplier: number;
  /** Null: the meter had no rollover configured. */
  readonly rollover: number | null;
  readonly firstSeenAt: number;
}

interface Row {
  enterprise: string;
  meter: string;
  kind: string;
  multiplier: number;
  rollover: number | null;
  first_seen_at: number;
}

export class MeterBaselineStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  all(): MeterBaseline[] {
    return (this.statement('SELECT * FROM meter_baseline ORDER BY enterprise, meter').all() as Row[]).map((r) => ({
      enterprise: r.enterprise,
      meter: r.meter,
      kind: r.kind,
      multiplier: r.multiplier,
      rollover: r.rollover,
      firstSeenAt: r.first_seen_at,
    }));
  }

  /** Remembers these meters unless remembered already (the first values stay). */
  remember(rows: readonly Omit<MeterBaseline, 'firstSeenAt'>[], at: number): void {
    const insert = this.statement(
      'INSERT OR IGNORE INTO meter_baseline (enterprise, meter, kind, multiplier, rollover, first_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.conn().transaction(() => {
      for (const r of rows) insert.run(r.enterprise, r.meter, r.kind, r.multiplier, r.rollover, at);
    })();
  }
}
