/**
 * Finalised monthly reports (contract 6 and 8.4): every revision kept with its SHA-256 and the
 * reasons it was made, the record of who downloaded what and when, and the "dirty month" marks:
 * a change that may alter a finalised month's figures marks it with its kind, and the next recheck
 * rebuilds it. Marks live here, beside the snapshots, so one statement can mark every finalised
 * month from a data time on, and they survive a restart. A month whose revision is being built
 * (`report_building`, also its first) is marked like a finalised one, so a change that arrives
 * during the build is not lost: its mark outlives the build and the next recheck serves it. In the
 * state database under DATA_DIR, shared by the instances of one DATA_DIR.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS report_snapshot (
    month TEXT NOT NULL, revision INTEGER NOT NULL, sha256 TEXT NOT NULL, content_hash TEXT NOT NULL, json TEXT NOT NULL,
    created_at INTEGER NOT NULL, note TEXT, PRIMARY KEY (month, revision)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS report_mark (
    id INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, kind TEXT NOT NULL, marked_at INTEGER NOT NULL, UNIQUE (month, kind));
  CREATE TABLE IF NOT EXISTS report_building (id INTEGER PRIMARY KEY AUTOINCREMENT, month TEXT NOT NULL, started_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS report_setting (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
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
  /** Kinds of change the revision was made for (contract 8.4); empty for a first revision. */
  readonly reasons: readonly string[];
}

/** A finalised month to rebuild at the next recheck, and the kind of change that asked for it. */
export interface MonthMark {
  /** Grows with every mark; a recheck clears only the marks it saw (later ones wait for the next). */
  readonly id: number;
  readonly month: string;
  readonly kind: string;
  readonly markedAt: number;
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
  readonly reasons?: readonly string[];
}

interface SnapshotRow {
  month: string;
  revision: number;
  sha256: string;
  createdAt: number;
  note: string | null;
  reasons: string | null;
}
const SNAPSHOT_COLUMNS = 'month, revision, sha256, created_at AS createdAt, note, reasons';
const MARK_COLUMNS = 'id, month, kind, marked_at AS markedAt';
/** Months a change can reach: the finalised ones and those whose revision is being built. */
const MARKABLE = 'SELECT month FROM report_snapshot UNION SELECT month FROM report_building';
/** A build left behind by a process that died meanwhile is forgotten after this long (wall clock). */
const STALE_BUILD_MS = 24 * 3_600_000;

export class ReportArchive<R extends ArchivedReport> extends SqliteBacked {
  constructor(options: { path: string }) {
    super(options.path, SCHEMA);
  }

  override async start(): Promise<void> {
    await super.start();
    // Archives written before revisions had reasons (contract 8.4) get the column.
    this.addMissingColumns('report_snapshot', { reasons: 'TEXT' });
    this.statement('DELETE FROM report_building WHERE started_at < ?').run(Date.now() - STALE_BUILD_MS);
  }

  /**
   * A revision of `month` (its first too) is being built from now on: until endBuild, every change
   * that reaches the month marks it, so that a change the build may have missed is served by the
   * next recheck. Returns the id to end it with.
   */
  beginBuild(month: string): number {
    return Number(this.statement('INSERT INTO report_building (month, started_at) VALUES (?, ?)').run(month, Date.now()).lastInsertRowid);
  }

  endBuild(id: number): void {
    this.statement('DELETE FROM report_building WHERE id = ?').run(id);
  }

  latestContentHash(month: string): { revision: number; contentHash: string; report: R } | undefined {
    const row = this.statement('SELECT revision, content_hash, json FROM report_snapshot WHERE month = ? ORDER BY revision DESC LIMIT 1').get(
      month,
    ) as { revision: number; content_hash: string; json: string } | undefined;
    return row ? { revision: row.revision, contentHash: row.content_hash, report: JSON.parse(row.json) as R } : undefined;
  }

  save(report: R, contentHash: string, createdAt: number): void {
    this.statement(
      'INSERT INTO report_snapshot (month, revision, sha256, content_hash, json, created_at, note, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      report.month,
      report.revision,
      report.sha256,
      contentHash,
      JSON.stringify(report),
      createdAt,
      report.revisionNote ?? null,
      JSON.stringify(report.reasons ?? []),
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
    const rows = (
      month === undefined
        ? this.statement(`SELECT ${SNAPSHOT_COLUMNS} FROM report_snapshot ORDER BY month DESC, revision`).all()
        : this.statement(`SELECT ${SNAPSHOT_COLUMNS} FROM report_snapshot WHERE month = ? ORDER BY revision`).all(month)
    ) as SnapshotRow[];
    return rows.map((r) => ({ ...r, reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [] }));
  }

  /** The newest finalised month (YYYY-MM), if any. */
  latestFinalisedMonth(): string | undefined {
    const row = this.statement('SELECT MAX(month) AS month FROM report_snapshot').get() as { month: string | null };
    return row.month ?? undefined;
  }

  /** The newest month a change can mark (finalised, or a revision of it being built), if any. */
  latestMarkableMonth(): string | undefined {
    const row = this.statement(`SELECT MAX(month) AS month FROM (${MARKABLE})`).get() as { month: string | null };
    return row.month ?? undefined;
  }

  /**
   * Marks every finalised month from `fromMonth` (YYYY-MM) on with `kind`, and every such month whose
   * revision is being built; returns how many. A mark already there is replaced with a new id, so a
   * recheck or build running meanwhile leaves it for the next.
   */
  markFrom(fromMonth: string, kind: string, at: number): number {
    return this.statement(
      `INSERT OR REPLACE INTO report_mark (month, kind, marked_at) SELECT DISTINCT month, ?, ? FROM (${MARKABLE}) WHERE month >= ? ORDER BY month`,
    ).run(kind, at, fromMonth).changes;
  }

  /**
   * Every mark, oldest month first. A mark of a month not finalised (its first revision was being
   * built, or that build failed) waits for the month's next finalisation, which serves it.
   */
  marks(): MonthMark[] {
    return this.statement(`SELECT ${MARK_COLUMNS} FROM report_mark ORDER BY month, id`).all() as MonthMark[];
  }

  /** The marks of finalised months: what a recheck has to serve. */
  pendingMarks(): MonthMark[] {
    return this.statement(
      `SELECT ${MARK_COLUMNS} FROM report_mark WHERE month IN (SELECT month FROM report_snapshot) ORDER BY month, id`,
    ).all() as MonthMark[];
  }

  /** Clears the marks of `month` up to `upToId` (the ones a recheck has served). */
  clearMarks(month: string, upToId: number): void {
    this.statement('DELETE FROM report_mark WHERE month = ? AND id <= ?').run(month, upToId);
  }

  setting(name: string): string | undefined {
    return (this.statement('SELECT value FROM report_setting WHERE name = ?').get(name) as { value: string } | undefined)?.value;
  }

  setSetting(name: string, value: string): void {
    this.statement('INSERT OR REPLACE INTO report_setting (name, value) VALUES (?, ?)').run(name, value);
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
