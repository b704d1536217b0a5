/**
 * Finalised monthly reports (contract 6): every revision kept with its SHA-256, and the record of
 * who downloaded what and when. In the state database under DATA_DIR.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS report_snapshot (
    month TEXT NOT NULL, revision INTEGER NOT NULL, sha256 TEXT NOT NULL, content_hash TEXT NOT NULL, json TEXT NOT NULL,
    created_at INTEGER NOT NULL, note TEXT, PRIMARY KEY (month, revision)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS report_download (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, who TEXT NOT NULL, role TEXT NOT NULL,
    scope TEXT NOT NULL, month TEXT NOT NULL, revision INTEGER NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL);
`;

export interface SnapshotInfo {
  readonly month: string;
  readonly revision: number;
  readonly sha256: string;
  readonly createdAt: number;
  readonly note: string | null;
}
export interface DownloadRecord {
  readonly at: number;
  readonly who: string;
  readonly role: string;
  readonly scope: string;
  readonly month: string;
  readonly revision: number;
  readonly format: string;
  readonly sha256: string;
}

/** What the archive needs to know of a report; the report itself is kept as JSON (services/reports/reportModel.ts). */
export interface ArchivedReport {
  readonly month: string;
  readonly revision: number;
  readonly sha256: string;
  readonly revisionNote?: string;
}

export class ReportArchive<R extends ArchivedReport> extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  latestContentHash(month: string): { revision: number; contentHash: string; report: R } | undefined {
    const row = this.statement('SELECT revision, content_hash, json FROM report_snapshot WHERE month = ? ORDER BY revision DESC LIMIT 1').get(
      month,
    ) as { revision: number; content_hash: string; json: string } | undefined;
    return row ? { revision: row.revision, contentHash: row.content_hash, report: JSON.parse(row.json) as R } : undefined;
  }

  save(report: R, contentHash: string, createdAt: number): void {
    this.statement('INSERT INTO report_snapshot (month, revision, sha256, content_hash, json, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      report.month,
      report.revision,
      report.sha256,
      contentHash,
      JSON.stringify(report),
      createdAt,
      report.revisionNote ?? null,
    );
  }

  /** A stored revision, or the latest when `revision` is undefined. */
  get(month: string, revision?: number): R | undefined {
    const row = (
      revision === undefined
        ? this.statement('SELECT json FROM report_snapshot WHERE month = ? ORDER BY revision DESC LIMIT 1').get(month)
        : this.statement('SELECT json FROM report_snapshot WHERE month = ? AND revision = ?').get(month, revision)
    ) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as R) : undefined;
  }

  /** The revisions of one month, or of every month (newest month first) without `month`. */
  revisions(month?: string): SnapshotInfo[] {
    return (
      month === undefined
        ? this.statement('SELECT month, revision, sha256, created_at AS createdAt, note FROM report_snapshot ORDER BY month DESC, revision').all()
        : this.statement('SELECT month, revision, sha256, created_at AS createdAt, note FROM report_snapshot WHERE month = ? ORDER BY revision').all(
            month,
          )
    ) as SnapshotInfo[];
  }

  recordDownload(d: DownloadRecord): void {
    this.statement('INSERT INTO report_download (at, who, role, scope, month, revision, format, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      d.at,
      d.who,
      d.role,
      d.scope,
      d.month,
      d.revision,
      d.format,
      d.sha256,
    );
  }

  downloads(limit = 1000): DownloadRecord[] {
    return this.statement('SELECT at, who, role, scope, month, revision, format, sha256 FROM report_download ORDER BY id DESC LIMIT ?').all(
      limit,
    ) as DownloadRecord[];
  }
}
