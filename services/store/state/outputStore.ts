/**
 * Monthly output values (工业总产值, 10^4 yuan) as entered by officers (contract 4, intensity; PUT
 * /api/enterprises/{id}/output/{YYYY-MM}), with who entered them and when. In the state database
 * under DATA_DIR, beside the alarms; the ledger's monthly statistics will join them here.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS output_value (
    enterprise TEXT NOT NULL, month TEXT NOT NULL, value_10k_yuan REAL NOT NULL, entered_by TEXT NOT NULL, entered_at INTEGER NOT NULL,
    PRIMARY KEY (enterprise, month)) WITHOUT ROWID;
`;

export interface OutputValue {
  readonly enterprise: string;
  readonly month: string;
  readonly value10kYuan: number;
}

export class OutputStore extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  setOutput(enterprise: string, month: string, value10kYuan: number, by: string, at: number): void {
    this.statement('INSERT OR REPLACE INTO output_value (enterprise, month, value_10k_yuan, entered_by, entered_at) VALUES (?, ?, ?, ?, ?)').run(
      enterprise,
      month,
      value10kYuan,
      by,
      at,
    );
  }

  /** Output values of these enterprises for months in [fromMonth, toMonth] (YYYY-MM, inclusive). */
  outputs(enterprises: readonly string[], fromMonth: string, toMonth: string): OutputValue[] {
    if (enterprises.length === 0) return [];
    return this.statement(
      `SELECT enterprise, month, value_10k_yuan AS value10kYuan FROM output_value
        WHERE enterprise IN (${enterprises.map(() => '?').join(',')}) AND month >= ? AND month <= ? ORDER BY month`,
    ).all(...enterprises, fromMonth, toMonth) as OutputValue[];
  }
}
