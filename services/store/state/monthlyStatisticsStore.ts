/**
 * Monthly statistics entered by hand (contract 8.3), versioned: every write is a new version of the
 * enterprise's month, never an overwrite, so an auditor can see who changed what and when. In the
 * state database under DATA_DIR. The older `output_value` table (output value only, one row per
 * month) is carried over once, into version 1 of each month, on first open.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';
import type { MonthlyFields, MonthlyPatch, MonthlyRecord } from '../../energy/monthlyStatistics';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS monthly_statistics (
    enterprise TEXT NOT NULL, month TEXT NOT NULL, version INTEGER NOT NULL,
    fields TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    PRIMARY KEY (enterprise, month, version)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS monthly_statistics_recorded ON monthly_statistics (recorded_at);
  CREATE TABLE IF NOT EXISTS monthly_statistics_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) WITHOUT ROWID;
`;

const LEGACY_MIGRATION = 'output_value';

export interface OutputValue {
  readonly enterprise: string;
  readonly month: string;
  readonly value10kYuan: number;
}

interface Row {
  enterprise: string;
  month: string;
  version: number;
  fields: string;
  recorded_by: string;
  recorded_at: number;
}

const FIELD_KEYS = [
  'outputValue10kYuan',
  'valueAdded10kYuan',
  'products',
  'carriers',
  'greenCertificatesKwh',
  'processCo2T',
  'note',
] as const satisfies readonly (keyof MonthlyFields)[];

/** The fields after `patch`: a present key replaces, null clears, an absent key keeps. */
export function applyPatch(fields: MonthlyFields, patch: MonthlyPatch): MonthlyFields {
  const out: Record<string, unknown> = {};
  for (const key of FIELD_KEYS) {
    const next = key in patch ? patch[key] : fields[key];
    if (next !== null && next !== undefined) out[key] = next;
  }
  return out as MonthlyFields;
}

/** The stored fields of a record, without its identity and version. */
export function fieldsOf(record: MonthlyFields): MonthlyFields {
  return applyPatch(record, {});
}

function toRecord(row: Row): MonthlyRecord {
  const fields = JSON.parse(row.fields) as MonthlyFields;
  return { enterprise: row.enterprise, month: row.month, version: row.version, recordedBy: row.recorded_by, recordedAt: row.recorded_at, ...fields };
}

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(',');

export class MonthlyStatisticsStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  override async start(): Promise<void> {
    await super.start();
    this.migrateLegacyOutputs();
  }

  /** Stores a new version of the month: the current fields with `patch` applied. */
  put(enterprise: string, month: string, patch: MonthlyPatch, by: string, at: number): MonthlyRecord {
    const write = this.conn().transaction((): MonthlyRecord => {
      const current = this.current(enterprise, month);
      const fields = applyPatch(current ?? {}, patch);
      const version = (current?.version ?? 0) + 1;
      this.statement('INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        enterprise,
        month,
        version,
        JSON.stringify(fields),
        by,
        at,
      );
      return { enterprise, month, version, recordedBy: by, recordedAt: at, ...fields };
    });
    return write.immediate();
  }

  /** Several puts in one transaction: all stored or none (the XLSX import). */
  putAll(entries: readonly { enterprise: string; month: string; patch: MonthlyPatch }[], by: string, at: number): MonthlyRecord[] {
    return this.conn()
      .transaction(() => entries.map((e) => this.put(e.enterprise, e.month, e.patch, by, at)))
      .immediate();
  }

  /** The latest version of the month, if any was recorded. */
  current(enterprise: string, month: string): MonthlyRecord | undefined {
    const row = this.statement('SELECT * FROM monthly_statistics WHERE enterprise = ? AND month = ? ORDER BY version DESC LIMIT 1').get(
      enterprise,
      month,
    ) as Row | undefined;
    return row && toRecord(row);
  }

  /** Every version of the month, oldest first. */
  history(enterprise: string, month: string): MonthlyRecord[] {
    const rows = this.statement('SELECT * FROM monthly_statistics WHERE enterprise = ? AND month = ? ORDER BY version').all(
      enterprise,
      month,
    ) as Row[];
    return rows.map(toRecord);
  }

  /** Current versions of these enterprises' months in [fromMonth, toMonth] (YYYY-MM, inclusive), by month then enterprise. */
  records(enterprises: readonly string[], fromMonth: string, toMonth: string): MonthlyRecord[] {
    if (enterprises.length === 0) return [];
    const rows = this.statement(
      `SELECT s.* FROM monthly_statistics s
        JOIN (SELECT enterprise, month, MAX(version) AS version FROM monthly_statistics
               WHERE enterprise IN (${inList(enterprises.length)}) AND month >= ? AND month <= ? GROUP BY enterprise, month) c
          ON s.enterprise = c.enterprise AND s.month = c.month AND s.version = c.version
        ORDER BY s.month, s.enterprise`,
    ).all(...enterprises, fromMonth, toMonth) as Row[];
    return rows.map(toRecord);
  }

  /** Enterprise-months with a version recorded at or after `t` (epoch ms): what a recheck must redo. */
  recordedSince(t: number): { enterprise: string; month: string }[] {
    return this.statement('SELECT DISTINCT enterprise, month FROM monthly_statistics WHERE recorded_at >= ? ORDER BY month, enterprise').all(t) as {
      enterprise: string;
      month: string;
    }[];
  }

  /** Current output values (10^4 yuan) where one is set, for the intensity figures. */
  outputs(enterprises: readonly string[], fromMonth: string, toMonth: string): OutputValue[] {
    return this.records(enterprises, fromMonth, toMonth).flatMap((r) =>
      r.outputValue10kYuan === undefined ? [] : [{ enterprise: r.enterprise, month: r.month, value10kYuan: r.outputValue10kYuan }],
    );
  }

  /** Old output values become version 1 of their month, once; the old table is left as it was. */
  private migrateLegacyOutputs(): void {
    const db = this.conn();
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM monthly_statistics_migrations WHERE name = ?').get(LEGACY_MIGRATION)) return;
      const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'output_value'").get();
      if (legacy) {
        const rows = db.prepare('SELECT enterprise, month, value_10k_yuan AS v, entered_by AS by, entered_at AS at FROM output_value').all() as {
          enterprise: string;
          month: string;
          v: number;
          by: string;
          at: number;
        }[];
        for (const r of rows) {
          // A month already versioned here was entered after the old table: that entry wins.
          if (this.current(r.enterprise, r.month)) continue;
          this.statement(
            'INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES (?, ?, 1, ?, ?, ?)',
          ).run(r.enterprise, r.month, JSON.stringify({ outputValue10kYuan: r.v }), r.by, r.at);
        }
      }
      db.prepare('INSERT INTO monthly_statistics_migrations (name, applied_at) VALUES (?, ?)').run(LEGACY_MIGRATION, Date.now());
    }).immediate();
  }
}
