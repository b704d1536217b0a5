/**
 * The base model of each meter with history (contract 8.1, docs/ledger/meter-events.md "Drift"):
 * the kind, unit, multiplier and rollover it had in the configuration when its history was first
 * seen, in the state database. Written once per meter, never updated: the figures keep using these
 * whatever the YAML says later (a change is recorded as a meter event instead). It also remembers
 * enterprises a later configuration may drop, so that their stored meters can still be listed as
 * orphaned.
 */
import { byText, type SqlExecutor } from './db/sqlExecutor';

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

export class MeterBaselineStore {
  constructor(private readonly db: SqlExecutor) {}

  async all(): Promise<MeterBaseline[]> {
    const rows = await this.db.all<Row>('SELECT enterprise, meter, kind, unit, multiplier, rollover, first_seen_at FROM meter_baseline');
    // Sorted here, not by ORDER BY: PostgreSQL would follow its database collation, SQLite byte order.
    return rows
      .map((r) => ({
        enterprise: r.enterprise,
        meter: r.meter,
        kind: r.kind,
        unit: r.unit,
        multiplier: r.multiplier,
        rollover: r.rollover,
        firstSeenAt: r.first_seen_at,
      }))
      .sort(
        byText(
          (r) => r.enterprise,
          (r) => r.meter,
        ),
      );
  }

  /**
   * Remembers these meters unless remembered already (the first values stay); a row remembered
   * before units were gets this unit. One transaction (one fsync on SQLite).
   */
  async remember(rows: readonly (Omit<MeterBaseline, 'firstSeenAt' | 'unit'> & { unit: string })[], at: number): Promise<void> {
    if (rows.length === 0) return;
    // The upsert only ever fills a missing unit: kind, multiplier, rollover and first_seen_at stay.
    const sql = `INSERT INTO meter_baseline (enterprise, meter, kind, unit, multiplier, rollover, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (enterprise, meter) DO UPDATE SET unit = excluded.unit WHERE meter_baseline.unit IS NULL`;
    // In key order (a stable sort: of one meter twice, the first still wins): two hosts remembering
    // the same meters in different orders would otherwise deadlock on PostgreSQL's row locks.
    const ordered = [...rows].sort(
      byText(
        (r) => r.enterprise,
        (r) => r.meter,
      ),
    );
    await this.db.transaction(async (tx) => {
      for (const r of ordered) await tx.run(sql, [r.enterprise, r.meter, r.kind, r.unit, r.multiplier, r.rollover, at]);
    });
  }
}
