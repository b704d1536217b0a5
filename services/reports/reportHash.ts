/**
 * The monthly report's two hashes (contract 6 and 8.4): `sha256`, over the whole report, that anyone
 * can recompute, and the content hash over the figures only, which decides whether a recheck makes
 * a new revision.
 */
import { createHash } from 'node:crypto';
import { hasBenchmarkParts, withoutBenchmark } from './benchmarkSection';
import { hasCarbonParts, legacyView } from './carbonSection';
import type { MonthlyReport } from './reportModel';

/** SHA-256 of the report's canonical JSON with `sha256` empty: anyone can recompute it. */
export function reportHash(report: MonthlyReport): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...report, sha256: '' }))
    .digest('hex');
}

/**
 * The figures only (no generation time, revision or hash): equal content means no new revision.
 * Numbers are compared to 12 significant digits, so that the same data summed in another order
 * (a new query plan, rollups instead of hours) is not taken for data that arrived late.
 */
export function contentHash(report: MonthlyReport): string {
  // `carbon` and `benchmark` are undefined (left out of the JSON) in reports built before them: their hash stays the same.
  const { enterprises, totals, ranking, concentration, carbon, benchmark } = report;
  const figures = JSON.stringify({ enterprises, totals, ranking, concentration, carbon, benchmark }, (_key, value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(12)) : value,
  );
  return createHash('sha256').update(figures).digest('hex');
}

/**
 * The report as the model of a stored revision had it: without the benchmark parts (issue 16) for a
 * revision finalised before them, and without the carbon parts (issue 20) too for one finalised before those.
 */
export function viewAsStored(stored: MonthlyReport, built: MonthlyReport): MonthlyReport {
  const withoutNew = hasBenchmarkParts(stored) ? built : withoutBenchmark(built);
  return hasCarbonParts(stored) ? withoutNew : legacyView(withoutNew);
}

/**
 * Whether `built` has the figures of a stored revision whose content hash is `stored`: the same
 * hash, or, for a revision finalised before the carbon or benchmark parts, the same hash of the
 * figures it had. A model that gained sections is not a change of the month's figures.
 */
export function sameFigures(stored: { contentHash: string; report: MonthlyReport }, built: MonthlyReport): boolean {
  if (stored.contentHash === contentHash(built)) return true;
  return stored.contentHash === contentHash(viewAsStored(stored.report, built));
}
