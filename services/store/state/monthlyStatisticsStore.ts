/**
 * Monthly statistics entered by hand (contract 8.3), versioned: every write is a new version of the
 * enterprise's month, never an overwrite, so an auditor can see who changed what and when. In the
 * state database (the oldest releases' `output_value` table is carried over by its migration,
 * stateSchema.ts).
 */
import type { MonthlyFields, MonthlyPatch, MonthlyRecord } from '../../energy/monthlyStatistics';
import { byText, type SqlExecutor } from './db/sqlExecutor';

/** Serialises puts: the next version is read and written in one step, across processes and hosts. */
const LOCK = { lock: 'monthly_statistics' };
const COLUMNS = 'enterprise, month, version, fields, recorded_by, recorded_at';

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

const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export class MonthlyStatisticsStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Stores a new version of the month: the current fields with `patch` applied. */
  async put(enterprise: string, month: string, patch: MonthlyPatch, by: string, at: number): Promise<MonthlyRecord> {
    return this.db.transaction(async (tx) => {
      const current = await new MonthlyStatisticsStore(tx).current(enterprise, month);
      const fields = applyPatch(current ?? {}, patch);
      const version = (current?.version ?? 0) + 1;
      await tx.run('INSERT INTO monthly_statistics (enterprise, month, version, fields, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)', [
        enterprise,
        month,
        version,
        JSON.stringify(fields),
        by,
        at,
      ]);
      return { enterprise, month, version, recordedBy: by, recordedAt: at, ...fields };
    }, LOCK);
  }

  /** Several puts in one transaction: all stored or none (the XLSX import). */
  async putAll(entries: readonly { enterprise: string; month: string; patch: MonthlyPatch }[], by: string, at: number): Promise<MonthlyRecord[]> {
    return this.db.transaction(async (tx) => {
      const store = new MonthlyStatisticsStore(tx);
      const out: MonthlyRecord[] = [];
      // One after another: each put reads the version the previous one (same month) wrote.
      for (const e of entries) out.push(await store.put(e.enterprise, e.month, e.patch, by, at));
      return out;
    }, LOCK);
  }

  /** The latest version of the month, if any was recorded. */
  async current(enterprise: string, month: string): Promise<MonthlyRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM monthly_statistics WHERE enterprise = ? AND month = ? ORDER BY version DESC LIMIT 1`, [
      enterprise,
      month,
    ]);
    return row && toRecord(row);
  }

  /** Every version of the month, oldest first. */
  async history(enterprise: string, month: string): Promise<MonthlyRecord[]> {
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM monthly_statistics WHERE enterprise = ? AND month = ? ORDER BY version`, [
      enterprise,
      month,
    ]);
    return rows.map(toRecord);
  }

  /** Current versions of these enterprises' months in [fromMonth, toMonth] (YYYY-MM, inclusive), by month then enterprise. */
  async records(enterprises: readonly string[], fromMonth: string, toMonth: string): Promise<MonthlyRecord[]> {
    if (enterprises.length === 0) return [];
    const rows = await this.db.all<Row>(
      `SELECT s.enterprise, s.month, s.version, s.fields, s.recorded_by, s.recorded_at FROM monthly_statistics s
        JOIN (SELECT enterprise, month, MAX(version) AS version FROM monthly_statistics
               WHERE enterprise IN (${inList(enterprises.length)}) AND month >= ? AND month <= ? GROUP BY enterprise, month) c
          ON s.enterprise = c.enterprise AND s.month = c.month AND s.version = c.version`,
      [...enterprises, fromMonth, toMonth],
    );
    return rows.map(toRecord).sort(
      byText(
        (r) => r.month,
        (r) => r.enterprise,
      ),
    );
  }

  /** Enterprise-months with a version recorded at or after `t` (epoch ms): what a recheck must redo. */
  async recordedSince(t: number): Promise<{ enterprise: string; month: string }[]> {
    const rows = await this.db.all<{ enterprise: string; month: string }>(
      'SELECT DISTINCT enterprise, month FROM monthly_statistics WHERE recorded_at >= ?',
      [t],
    );
    return rows.sort(
      byText(
        (r) => r.month,
        (r) => r.enterprise,
      ),
    );
  }

  /** Current output values (10^4 yuan) where one is set, for the intensity figures. */
  async outputs(enterprises: readonly string[], fromMonth: string, toMonth: string): Promise<OutputValue[]> {
    return (await this.records(enterprises, fromMonth, toMonth)).flatMap((r) =>
      r.outputValue10kYuan === undefined ? [] : [{ enterprise: r.enterprise, month: r.month, value10kYuan: r.outputValue10kYuan }],
    );
  }
}
