/**
 * Finalised monthly reports (contract 6 and 8.4): every revision kept with its SHA-256 and the
 * reasons it was made, the record of who downloaded what and when, and the "dirty month" marks:
 * a change that may alter a finalised month's figures marks it with its kind, and the next recheck
 * rebuilds it. Marks live here, beside the snapshots, so one statement can mark every finalised
 * month from a data time on, and they survive a restart. A month whose revision is being built
 * (`report_building`, also its first) is marked like a finalised one, so a change that arrives
 * during the build is not lost: its mark outlives the build and the next recheck serves it. In the
 * state database (SQLite under DATA_DIR, or PostgreSQL), shared by every instance using it.
 */
import { AppError } from '../../core/errors';
import type { SqlExecutor } from './db/sqlExecutor';

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
// Quoted aliases: PostgreSQL folds unquoted ones to lower case.
const SNAPSHOT_COLUMNS = 'month, revision, sha256, created_at AS "createdAt", note, reasons';
const MARK_COLUMNS = 'id, month, kind, marked_at AS "markedAt"';
/** Months a change can reach: the finalised ones and those whose revision is being built. */
const MARKABLE = '(SELECT month FROM report_snapshot UNION SELECT month FROM report_building) AS markable';
/** A build left behind by a process that died meanwhile is forgotten after this long (wall clock). */
const STALE_BUILD_MS = 24 * 3_600_000;

/** The revision was stored by someone else meanwhile (another instance finalising the same month). */
export class RevisionConflictError extends AppError {
  constructor(month: string, revision: number) {
    super('conflict', `revision ${revision} of ${month} was finalised meanwhile by another instance: finalise again to build on it`, {
      retryable: true,
      context: { month, revision },
    });
  }
}

export class ReportArchive<R extends ArchivedReport> {
  constructor(private readonly db: SqlExecutor) {}

  /** Start-up work (not schema): forgets builds left behind by a process that died during one. */
  async init(now = Date.now()): Promise<void> {
    await this.db.run('DELETE FROM report_building WHERE started_at < ?', [now - STALE_BUILD_MS]);
  }

  /**
   * A revision of `month` (its first too) is being built from now on: until endBuild, every change
   * that reaches the month marks it, so that a change the build may have missed is served by the
   * next recheck. Returns the id to end it with.
   */
  async beginBuild(month: string): Promise<number> {
    const row = await this.db.get<{ id: number }>('INSERT INTO report_building (month, started_at) VALUES (?, ?) RETURNING id', [month, Date.now()]);
    return Number(row?.id);
  }

  async endBuild(id: number): Promise<void> {
    await this.db.run('DELETE FROM report_building WHERE id = ?', [id]);
  }

  async latestContentHash(month: string): Promise<{ revision: number; contentHash: string; report: R } | undefined> {
    const row = await this.db.get<{ revision: number; content_hash: string; json: string }>(
      'SELECT revision, content_hash, json FROM report_snapshot WHERE month = ? ORDER BY revision DESC LIMIT 1',
      [month],
    );
    return row ? { revision: row.revision, contentHash: row.content_hash, report: JSON.parse(row.json) as R } : undefined;
  }

  /**
   * Stores `report` as its own revision. The revision must be new: when another instance (another
   * host finalising the same month through its HTTP route) stored that revision first, nothing is
   * written and RevisionConflictError is thrown, so the caller rebuilds against the newer revision
   * rather than storing a note and reasons computed against an older one.
   */
  async save(report: R, contentHash: string, createdAt: number): Promise<void> {
    const { changes } = await this.db.run(
      `INSERT INTO report_snapshot (month, revision, sha256, content_hash, json, created_at, note, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (month, revision) DO NOTHING`,
      [
        report.month,
        report.revision,
        report.sha256,
        contentHash,
        JSON.stringify(report),
        createdAt,
        report.revisionNote ?? null,
        JSON.stringify(report.reasons ?? []),
      ],
    );
    if (changes === 0) throw new RevisionConflictError(report.month, report.revision);
  }

  /** A stored revision, or the latest when `revision` is undefined. */
  async get(month: string, revision?: number): Promise<R | undefined> {
    const row =
      revision === undefined
        ? await this.db.get<{ json: string }>('SELECT json FROM report_snapshot WHERE month = ? ORDER BY revision DESC LIMIT 1', [month])
        : await this.db.get<{ json: string }>('SELECT json FROM report_snapshot WHERE month = ? AND revision = ?', [month, revision]);
    return row ? (JSON.parse(row.json) as R) : undefined;
  }

  /** The revisions of one month, or of every month (newest month first) without `month`. */
  async revisions(month?: string): Promise<SnapshotInfo[]> {
    const rows =
      month === undefined
        ? await this.db.all<SnapshotRow>(`SELECT ${SNAPSHOT_COLUMNS} FROM report_snapshot ORDER BY month DESC, revision`)
        : await this.db.all<SnapshotRow>(`SELECT ${SNAPSHOT_COLUMNS} FROM report_snapshot WHERE month = ? ORDER BY revision`, [month]);
    return rows.map((r) => ({ ...r, reasons: r.reasons ? (JSON.parse(r.reasons) as string[]) : [] }));
  }

  /** The newest finalised month (YYYY-MM), if any. */
  async latestFinalisedMonth(): Promise<string | undefined> {
    const row = await this.db.get<{ month: string | null }>('SELECT MAX(month) AS month FROM report_snapshot');
    return row?.month ?? undefined;
  }

  /** The newest month a change can mark (finalised, or a revision of it being built), if any. */
  async latestMarkableMonth(): Promise<string | undefined> {
    const row = await this.db.get<{ month: string | null }>(`SELECT MAX(month) AS month FROM ${MARKABLE}`);
    return row?.month ?? undefined;
  }

  /**
   * Marks every finalised month from `fromMonth` (YYYY-MM) on with `kind`, and every such month whose
   * revision is being built; returns how many. A mark already there is replaced with a new id, so a
   * recheck or build running meanwhile leaves it for the next.
   */
  async markFrom(fromMonth: string, kind: string, at: number): Promise<number> {
    return this.db.transaction(
      async (tx) => {
        // Delete and insert (not an upsert): the new id is what tells a running recheck the mark is newer.
        await tx.run(`DELETE FROM report_mark WHERE kind = ? AND month >= ? AND month IN (SELECT month FROM ${MARKABLE})`, [kind, fromMonth]);
        // CAST: PostgreSQL cannot infer a parameter's type from an INSERT ... SELECT's select list.
        const { changes } = await tx.run(
          `INSERT INTO report_mark (month, kind, marked_at) SELECT month, CAST(? AS TEXT), CAST(? AS BIGINT) FROM ${MARKABLE} WHERE month >= ? ORDER BY month`,
          [kind, at, fromMonth],
        );
        return changes;
      },
      { lock: 'report_mark' },
    );
  }

  /**
   * Every mark, oldest month first. A mark of a month not finalised (its first revision was being
   * built, or that build failed) waits for the month's next finalisation, which serves it.
   */
  async marks(): Promise<MonthMark[]> {
    return this.db.all<MonthMark>(`SELECT ${MARK_COLUMNS} FROM report_mark ORDER BY month, id`);
  }

  /** The marks of finalised months: what a recheck has to serve. */
  async pendingMarks(): Promise<MonthMark[]> {
    return this.db.all<MonthMark>(`SELECT ${MARK_COLUMNS} FROM report_mark WHERE month IN (SELECT month FROM report_snapshot) ORDER BY month, id`);
  }

  /** Clears the marks of `month` up to `upToId` (the ones a recheck has served). */
  async clearMarks(month: string, upToId: number): Promise<void> {
    await this.db.run('DELETE FROM report_mark WHERE month = ? AND id <= ?', [month, upToId]);
  }

  async setting(name: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM report_setting WHERE name = ?', [name]))?.value;
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO report_setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [
      name,
      value,
    ]);
  }

  async recordDownload(d: DownloadRecord): Promise<void> {
    await this.db.run('INSERT INTO report_download (at, who, role, scope, month, revision, format, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      d.at,
      d.who,
      d.role,
      d.scope,
      d.month,
      d.revision,
      d.format,
      d.sha256,
    ]);
  }

  /** The newest downloads first. */
  async downloads(limit = 1000): Promise<DownloadRecord[]> {
    return this.db.all<DownloadRecord>('SELECT at, who, role, scope, month, revision, format, sha256 FROM report_download ORDER BY id DESC LIMIT ?', [
      limit,
    ]);
  }
}
