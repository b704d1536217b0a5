/**
 * Finalisation and revisions of the monthly report (contract 6): on the 1st at 01:00 (site time)
 * the previous month is finalised into a stored snapshot with its SHA-256 and mailed; every night
 * the last finalised months are rebuilt, and figures that changed (late data) make a new revision
 * with a note of what changed. Every revision stays downloadable; the latest is served by default.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { DateTime } from 'luxon';
import type { Config } from '../../config/schema';
import type { Logger } from '../core/log';
import type { MonthlyReportArchive } from './reportModel';
import { contentHash, reportHash, type MonthlyReportBuilder } from './monthlyReportBuilder';
import type { MonthlyReport } from './reportModel';

export interface ReportSink {
  /** Called with every new revision (mail it, say). Must not throw. */
  finalised(report: MonthlyReport): void;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** What changed between two revisions, in one line per enterprise whose figures moved. */
export function revisionNote(before: MonthlyReport, after: MonthlyReport): string {
  const lines: string[] = [];
  for (const e of after.enterprises) {
    const old = before.enterprises.find((x) => x.id === e.id);
    if (!old) lines.push(`${e.id}: new`);
    else if (JSON.stringify(old) !== JSON.stringify(e)) lines.push(`${e.id}: totalTce ${fmt(old.totalTce)} -> ${fmt(e.totalTce)} tce`);
  }
  if (Math.abs(before.totals.totalTce - after.totals.totalTce) > 0)
    lines.push(`district: totalTce ${fmt(before.totals.totalTce)} -> ${fmt(after.totals.totalTce)} tce`);
  return `revision ${after.revision} replaces ${before.revision} (sha256 ${before.sha256.slice(0, 12)}…): ${lines.join('; ') || 'ranking or completeness changed'}`;
}

export class ReportService {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly deps: {
      config: Config;
      builder: MonthlyReportBuilder;
      archive: MonthlyReportArchive;
      sinks: readonly ReportSink[];
      logger: Logger;
      now?: () => number;
      /** The scheduled jobs run only while this says so (the lease, services/store/state/lease.ts); default always. */
      active?: () => boolean;
    },
  ) {}

  async start(): Promise<void> {
    const timezone = this.deps.config.timezone;
    this.tasks.push(cron.schedule('0 1 1 * *', () => this.run(() => this.finalise(this.previousMonth(this.now()))), { timezone }));
    this.tasks.push(cron.schedule('30 2 * * *', () => this.run(() => this.recheck(this.now())), { timezone }));
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
  }

  /** Finalises `month`: a first revision, or a new one if the figures changed; otherwise the latest as is. */
  async finalise(month: string, at = this.now()): Promise<{ report: MonthlyReport; created: boolean }> {
    const latest = this.deps.archive.latestContentHash(month);
    const built = await this.deps.builder.build(month, at, (latest?.revision ?? 0) + 1);
    const hash = contentHash(built);
    if (latest && latest.contentHash === hash) return { report: latest.report, created: false };
    const withNote: MonthlyReport = latest ? { ...built, revisionNote: revisionNote(latest.report, built) } : built;
    const report = { ...withNote, sha256: reportHash({ ...withNote, sha256: '' }) };
    this.deps.archive.save(report, hash, at);
    this.deps.logger.info({ month, revision: report.revision, sha256: report.sha256 }, 'monthly report finalised');
    for (const sink of this.deps.sinks) sink.finalised(report);
    return { report, created: true };
  }

  /** The stored revision asked for, the latest one, or for a month not finalised yet a provisional report (revision 0). */
  async report(month: string, revision?: number): Promise<MonthlyReport | undefined> {
    const stored = this.deps.archive.get(month, revision);
    if (stored || revision !== undefined) return stored;
    return this.deps.builder.build(month, this.now(), 0);
  }

  /** Rebuilds the last finalised months; late data makes new revisions. */
  async recheck(at: number): Promise<void> {
    let month = this.previousMonth(at);
    for (let i = 0; i < this.deps.config.reports.recheckMonths; i++) {
      if (this.deps.archive.latestContentHash(month)) await this.finalise(month, at);
      month = DateTime.fromFormat(month, 'yyyy-MM').minus({ months: 1 }).toFormat('yyyy-MM');
    }
  }

  previousMonth(at: number): string {
    return DateTime.fromMillis(at, { zone: this.deps.config.timezone }).startOf('month').minus({ months: 1 }).toFormat('yyyy-MM');
  }

  private run(work: () => Promise<unknown>): void {
    // One instance finalises and mails: a standby would make a second revision check and mail.
    if (this.deps.active && !this.deps.active()) return;
    work().catch((err: unknown) => this.deps.logger.error({ err }, 'report job failed'));
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}
