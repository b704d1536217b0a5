/**
 * Reads over a range, split into parts (whole local months and days from the rollups once they
 * are complete, the rest from hours and readings), with the results of rollup statements kept
 * while their days are unchanged (RollupCache, by the marks of rollupMarks.ts). consumption() and
 * countUsable() read through here.
 */
import { DateTime } from 'luxon';
import { splitPeriods, type DayCalendar, type RangePart } from '../dailyRollup';
import type { ConsumptionQuery } from '../timeSeriesStore';
import type { QueryRow } from './influxql';
import type { InfluxQueryClient } from './influxQueryClient';
import type { RollupMarks } from './rollupMarks';
import { RollupCache } from './rollupCache';
import type { RollupRefresher } from './rollupRefresher';

/** One part's statement, its rows, and the marks it was read under (rollup parts). */
export interface PartResult {
  readonly statement: string;
  readonly rows: QueryRow[];
  readonly signature?: string;
}

export interface RollupReadsDeps {
  readonly calendar: DayCalendar | undefined;
  readonly query: InfluxQueryClient;
  readonly marks: RollupMarks;
  readonly refresher: RollupRefresher;
  /** Whether the rollups of the calendar's zone are complete (RollupRebuilder.ready). */
  readonly rollupsReady: () => boolean;
  readonly now: () => number;
}

/** A part split at the local year starts inside it. */
function splitAtYears(part: RangePart, zone: string): RangePart[] {
  const out: RangePart[] = [];
  let from = part.from;
  for (;;) {
    const nextYear = DateTime.fromMillis(from, { zone }).startOf('year').plus({ years: 1 }).toMillis();
    if (nextYear >= part.to) break;
    out.push({ ...part, from, to: nextYear });
    from = nextYear;
  }
  out.push({ ...part, from });
  return out;
}

export class RollupReads {
  /** Results of rollup statements while their days are unchanged. */
  private readonly cache = new RollupCache();
  /** Rollup statements being read, by marks and text: concurrent callers asking the same share it. */
  private readonly statementsInFlight = new Map<string, Promise<QueryRow[]>>();

  constructor(private readonly deps: RollupReadsDeps) {}

  /** Where each part of [from, to) is read: rollups once they are complete for this zone, otherwise the hours. */
  parts(every: ConsumptionQuery['every'], zone: string, from: number, to: number): RangePart[] {
    const calendar = this.deps.calendar;
    if (every === '1h' || !this.deps.rollupsReady() || calendar === undefined || zone !== calendar.zone) return [{ level: 'raw', from, to }];
    // Day buckets need day points; month buckets can take month points.
    const parts = splitPeriods(from, to, calendar, every === '1mo');
    // Today and yesterday change with every refresh round: a day part ending with them is split,
    // so that the cached days before them are not read again (see query()).
    const recent = calendar.dayOf(this.deps.now() - 86_400_000);
    return parts.flatMap((p) => {
      // Month parts split at local year starts: a year-to-date query (status, rules) and a
      // 13-month report series then send one identical statement for the year, read once (query()).
      if (p.level === 'month') return splitAtYears(p, zone);
      if (p.level !== 'day' || p.to <= recent) return [p];
      const last = Math.max(p.from, recent);
      return last > p.from
        ? [
            { ...p, to: last },
            { ...p, from: last },
          ]
        : [p];
    });
  }

  /**
   * Runs one statement per part in one request, except rollup statements whose days are unchanged
   * since they were last read (RollupCache): a rule cycle or a report then reads closed months
   * and days once, and only the days being written again. Results in part order.
   */
  async query(parts: readonly RangePart[], statementOf: (part: RangePart) => string): Promise<PartResult[]> {
    const { query, marks: changeMarks, refresher } = this.deps;
    const statements = parts.map(statementOf);
    const rollup = parts.filter((p) => p.level !== 'raw');
    const zone = this.deps.calendar?.zone;
    if (rollup.length === 0 || zone === undefined) {
      const results = await query.query(statements.join('; '));
      return statements.map((statement, i) => ({ statement, rows: results[i] ?? [] }));
    }
    await refresher.current();
    // Marks first, statements after: a round writes its rollups before its marks, so what the
    // statements read is never older than the marks it is cached under.
    const marks = await changeMarks.read(zone, Math.min(...rollup.map((p) => p.from)), Math.max(...rollup.map((p) => p.to)), refresher.roundsDone);
    const signatures = parts.map((p) => (p.level === 'raw' ? undefined : RollupCache.signature(marks, p.from, p.to)));
    const out = parts.map((_, i) => {
      const signature = signatures[i];
      return signature === undefined ? undefined : this.cache.get(statements[i]!, signature);
    });
    // A statement another caller is already running under the same marks is waited for, not sent again.
    const key = (i: number): string => `${signatures[i] ?? ''}\n${statements[i]!}`;
    const shared = new Map<number, Promise<QueryRow[]>>();
    const missing: number[] = [];
    out.forEach((rows, i) => {
      if (rows !== undefined) return;
      const running = signatures[i] === undefined ? undefined : this.statementsInFlight.get(key(i));
      if (running) shared.set(i, running);
      else missing.push(i);
    });
    if (missing.length > 0) {
      const request = query.query(missing.map((i) => statements[i]).join('; '));
      missing.forEach((i, k) => {
        if (signatures[i] === undefined) return;
        const rows = request.then((results) => results[k] ?? []);
        this.statementsInFlight.set(key(i), rows);
        void rows.finally(() => this.statementsInFlight.delete(key(i))).catch(() => undefined);
      });
      const results = await request;
      missing.forEach((i, k) => {
        const rows = results[k] ?? [];
        out[i] = rows;
        const signature = signatures[i];
        if (signature !== undefined) this.cache.set(statements[i]!, signature, rows);
      });
    }
    for (const [i, rows] of shared) out[i] = await rows;
    return out.map((rows, i) => ({ statement: statements[i]!, rows: rows ?? [], ...(signatures[i] !== undefined && { signature: signatures[i] }) }));
  }
}
