/**
 * Finalisation and revisions of the monthly report (contract 6 and 8.4): on the 1st at 01:00 (site
 * time) the previous month is finalised into a stored snapshot with its SHA-256 and mailed. A month
 * that has not ended cannot be finalised. A recheck rebuilds every finalised month marked by a
 * change (revisionMarks.ts), whatever its age, plus the last `reports.recheckMonths`; figures that
 * changed make a new revision that records why (`reasons`) and what changed (`revisionNote`). It
 * runs nightly and about a minute after marks stop arriving. Every revision stays downloadable;
 * a month not finalised is served as a draft with the instant its data runs to.
 *
 * No change is lost to a build in progress: the month is registered as being built before its
 * marks are read (reportArchive.ts beginBuild), so a change arriving during the build, also of a
 * first revision, leaves a mark that the build does not clear; and the build starts only once the
 * store's rollups of everything written before it have settled (InfluxDB refreshes them after the
 * write that announced the readings).
 */
import cron, { type ScheduledTask } from 'node-cron';
import { DateTime } from 'luxon';
import type { Config } from '../../config/schema';
import { AppError } from '../core/errors';
import type { Logger } from '../core/log';
import { isoInZone, monthBounds } from '../energy/time';
import type { LatestReading, LatestOptions } from '../store/timeSeriesStore';
import { hasBenchmarkParts } from './benchmarkSection';
import { hasCarbonParts } from './carbonSection';
import type { MonthlyReportBuilder } from './monthlyReportBuilder';
import { contentHash, reportHash, sameFigures, viewAsStored } from './reportHash';
import { isRevisionReason, type MonthlyReport, type MonthlyReportArchive, type RevisionReason } from './reportModel';

export interface ReportSink {
  /** Called with every new revision (mail it, say). Must not throw. */
  finalised(report: MonthlyReport): void;
}

/** Finalising a month that has not ended (contract 8.4): 409. */
export class MonthNotEndedError extends AppError {
  constructor(month: string, end: string | undefined) {
    super('conflict', `the ${month} report can be finalised once the month has ended${end === undefined ? '' : ` (${end})`}`, {
      context: { month, ...(end !== undefined && { end }) },
    });
  }
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** What changed between two revisions and why, in one line per enterprise whose figures moved. */
export function revisionNote(before: MonthlyReport, after: MonthlyReport): string {
  const lines: string[] = [];
  // A revision finalised before the carbon or benchmark parts is compared on the figures it had; the parts are named as added.
  const added = !hasCarbonParts(before) && hasCarbonParts(after);
  const benchmarkAdded = !hasBenchmarkParts(before) && hasBenchmarkParts(after);
  const compared = viewAsStored(before, after);
  for (const e of compared.enterprises) {
    const old = before.enterprises.find((x) => x.id === e.id);
    if (!old) lines.push(`${e.id}: new`);
    else if (JSON.stringify(old) !== JSON.stringify(e)) lines.push(`${e.id}: totalTce ${fmt(old.totalTce)} -> ${fmt(e.totalTce)} tce`);
  }
  if (Math.abs(before.totals.totalTce - after.totals.totalTce) > 0)
    lines.push(`district: totalTce ${fmt(before.totals.totalTce)} -> ${fmt(after.totals.totalTce)} tce`);
  if (added) lines.push('carbon, park and project sections added');
  if (benchmarkAdded) lines.push('benchmark section and findings added');
  const why = after.reasons && after.reasons.length > 0 ? ` for ${after.reasons.join(', ')}` : '';
  return `revision ${after.revision} replaces ${before.revision}${why} (sha256 ${before.sha256.slice(0, 12)}…): ${lines.join('; ') || 'ranking or completeness changed'}`;
}

/** How often the marks are looked at; a recheck runs once they stayed the same over one interval. */
const DEFAULT_MARK_POLL_MS = 60_000;
/** Marks that keep arriving (a long catch-up) are served after this many polls anyway. */
const MAX_POLLS_WAITING = 10;

export class ReportService {
  private tasks: ScheduledTask[] = [];
  private poll: NodeJS.Timeout | undefined;
  private lastMarkId: number | undefined;
  private pollsWaiting = 0;
  private running: Promise<void> | undefined;
  private serial: Promise<unknown> = Promise.resolve();

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
      /** Newest readings, for a draft's `dataUntil` (the time-series store); without it a draft says null. */
      latest?: (enterprises: readonly string[], options?: LatestOptions) => Promise<LatestReading[]>;
      /** How often pending marks are looked at (default 60 s). */
      markPollMs?: number;
      /**
       * Resolves once the rollups of everything written so far are refreshed (the time-series
       * store's settleRollups); awaited before a finalisation builds. Without it nothing is awaited.
       */
      settle?: () => Promise<void>;
    },
  ) {}

  async start(): Promise<void> {
    const timezone = this.deps.config.timezone;
    this.tasks.push(cron.schedule('0 1 1 * *', () => this.run(() => this.finalise(this.previousMonth(this.now()))), { timezone }));
    this.tasks.push(cron.schedule('30 2 * * *', () => this.run(() => this.recheck(this.now())), { timezone }));
    this.poll = setInterval(
      () => void this.pollMarks().catch((err: unknown) => this.deps.logger.error({ err }, 'report mark poll failed')),
      this.deps.markPollMs ?? DEFAULT_MARK_POLL_MS,
    );
    this.poll.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
    clearInterval(this.poll);
    this.poll = undefined;
    await this.running;
  }

  /**
   * Finalises `month`: a first revision, or a new one if the figures changed, with the reasons
   * marked for the month; otherwise the latest as is. The month's marks seen here are cleared.
   */
  finalise(month: string, at = this.now()): Promise<{ report: MonthlyReport; created: boolean }> {
    // One at a time: the HTTP route, the 1st-of-month job and a recheck could otherwise build the same next revision twice.
    const next = this.serial.then(() => this.finaliseNow(month, at));
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async finaliseNow(month: string, at: number): Promise<{ report: MonthlyReport; created: boolean }> {
    const end = monthBounds(month, this.deps.config.timezone)?.end;
    if (end === undefined || end > at) throw new MonthNotEndedError(month, end === undefined ? undefined : isoInZone(end, this.deps.config.timezone));
    const { archive } = this.deps;
    // From here on a change reaching the month marks it, finalised or not: a mark made after the
    // marks are read below outlives this build, and the next recheck serves it.
    const building = await archive.beginBuild(month);
    try {
      const marks = (await archive.marks()).filter((m) => m.month === month);
      // Every change marked so far is in the store; its rollups too before the build reads them.
      if (this.deps.settle) await this.deps.settle();
      const latest = await archive.latestContentHash(month);
      const built = await this.deps.builder.build(month, at, (latest?.revision ?? 0) + 1);
      const hash = contentHash(built);
      let result: { report: MonthlyReport; created: boolean };
      if (latest && sameFigures(latest, built)) result = { report: latest.report, created: false };
      else {
        const marked = [...new Set(marks.map((m) => m.kind).filter(isRevisionReason))];
        const reasons: RevisionReason[] = marked.length > 0 ? marked : ['recheck'];
        const revised: MonthlyReport = { ...built, draft: false, ...(latest && { reasons }) };
        const withNote: MonthlyReport = latest ? { ...revised, revisionNote: revisionNote(latest.report, revised) } : revised;
        const report = { ...withNote, sha256: reportHash({ ...withNote, sha256: '' }) };
        await archive.save(report, hash, at);
        this.deps.logger.info({ month, revision: report.revision, sha256: report.sha256, reasons: report.reasons }, 'monthly report finalised');
        for (const sink of this.deps.sinks) sink.finalised(report);
        result = { report, created: true };
      }
      if (marks.length > 0) await archive.clearMarks(month, Math.max(...marks.map((m) => m.id)));
      return result;
    } finally {
      await archive.endBuild(building);
    }
  }

  /**
   * The stored revision asked for, the latest one, or for a month not finalised a draft (revision
   * 0) whose data runs to the newest usable reading of `enterprises` (default all), capped at the month end.
   */
  async report(month: string, revision?: number, enterprises?: readonly string[]): Promise<MonthlyReport | undefined> {
    const stored = await this.deps.archive.get(month, revision);
    if (stored || revision !== undefined) return stored;
    const built = await this.deps.builder.build(month, this.now(), 0);
    const draft: MonthlyReport = { ...built, draft: true, dataUntil: await this.dataUntil(month, enterprises ?? built.enterprises.map((e) => e.id)) };
    return { ...draft, sha256: reportHash({ ...draft, sha256: '' }) };
  }

  /**
   * Rebuilds every finalised month with a pending mark and the last `recheckMonths` finalised
   * months; changed figures make new revisions. A month that fails keeps its marks for the next run.
   */
  async recheck(at: number): Promise<void> {
    const months = new Set((await this.deps.archive.pendingMarks()).map((m) => m.month));
    let month = this.previousMonth(at);
    for (let i = 0; i < this.deps.config.reports.recheckMonths; i++) {
      months.add(month);
      month = DateTime.fromFormat(month, 'yyyy-MM').minus({ months: 1 }).toFormat('yyyy-MM');
    }
    for (const m of [...months].sort()) {
      if (!(await this.deps.archive.latestContentHash(m))) continue;
      await this.finalise(m, at).catch((err: unknown) => this.deps.logger.error({ err, month: m }, 'recheck of a finalised month failed'));
    }
  }

  previousMonth(at: number): string {
    return DateTime.fromMillis(at, { zone: this.deps.config.timezone }).startOf('month').minus({ months: 1 }).toFormat('yyyy-MM');
  }

  /** Runs a recheck once the pending marks stayed the same for one poll interval (or waited too long). */
  private async pollMarks(): Promise<void> {
    if (this.running) return;
    // Marks of a month not finalised yet wait for its finalisation, which serves them.
    const marks = await this.deps.archive.pendingMarks();
    if (this.running) return; // a job started while the marks were read
    const newest = marks.reduce((max, m) => Math.max(max, m.id), 0);
    if (marks.length === 0) {
      this.lastMarkId = undefined;
      this.pollsWaiting = 0;
      return;
    }
    const quiet = newest === this.lastMarkId;
    this.lastMarkId = newest;
    this.pollsWaiting++;
    if (!quiet && this.pollsWaiting < MAX_POLLS_WAITING) return;
    this.pollsWaiting = 0;
    this.run(() => this.recheck(this.now()));
  }

  private async dataUntil(month: string, enterprises: readonly string[]): Promise<string | null> {
    const zone = this.deps.config.timezone;
    const bounds = monthBounds(month, zone);
    if (!bounds || !this.deps.latest) return null;
    const latest = await this.deps.latest(enterprises, { since: bounds.start });
    const newest = latest.reduce((max, l) => (l.lastGood ? Math.max(max, l.lastGood.ts) : max), -Infinity);
    return newest === -Infinity ? null : isoInZone(Math.min(newest, bounds.end), zone);
  }

  private run(work: () => Promise<unknown>): void {
    // One instance finalises and mails: a standby would make a second revision check and mail.
    if (this.deps.active && !this.deps.active()) return;
    const job = work()
      .then(() => undefined)
      .catch((err: unknown) => this.deps.logger.error({ err }, 'report job failed'))
      .finally(() => {
        if (this.running === job) this.running = undefined;
      });
    this.running = job;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}
