/**
 * Builds the monthly report model (contract 6) for the district, aggregated in the store: one
 * consumption query covers this month, the previous one and the same month last year for every
 * enterprise (with the entered carriers of each month and the factors of each month's data year);
 * status at month end, alarm counts and completeness are one batched call each. The report names
 * every parameter row its figures used (contract 8.2), with the enterprises whose figures used it,
 * and rounds its sums by the figure rule.
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../config/schema';
import type { ConsumptionService, SeriesPoint } from '../figures/consumptionService';
import { completeness } from '../energy/completeness';
import { BadRequestError } from '../core/errors';
import { isoInZone, monthBounds } from '../energy/time';
import type { StatusService } from '../figures/statusService';
import type { AlarmStore } from '../store/state/alarmStore';
import { meterKeyId, type TimeSeriesStore } from '../store/timeSeriesStore';
import { figure } from '../figures/precision';
import { ParametersUsed } from '../figures/parametersUsed';
import { activeWindow, type ActivityTimeline } from '../energy/meterActivity';
import type { MeterRef } from '../energy/meterScope';
import type { ParameterRow } from '../energy/parameterRow';
import { industryName } from '../energy/industries';
import type { DistrictCarbonSource } from '../figures/districtCarbonTypes';
import type { ProjectFiguresService } from '../figures/projectFigures';
import { parkOf, reportCarbonOf, reportProjectOf } from './carbonSection';
import { gatherBenchmarkParts, withBenchmarkParts, type BenchmarkSources } from './benchmarkSection';
import { totalsOf } from './reportTotals';
import type { CarrierFigures, EnterpriseReport, MonthlyReport, RankingEntry, ReportParameterRow } from './reportModel';
import { reportHash } from './reportHash';

const change = (now: number, before: number): number | null => (before === 0 ? null : (now - before) / before);

// The hashes moved to reportHash.ts; kept exported here for the callers that import them from the builder.
export { contentHash, reportHash, sameFigures } from './reportHash';
export { enterpriseRevisionNote, enterpriseScope } from './enterpriseScope';

export class MonthlyReportBuilder {
  constructor(
    private readonly deps: {
      config: Config;
      consumption: ConsumptionService;
      status: StatusService;
      alarms: AlarmStore;
      store: TimeSeriesStore;
      /** Meter events in force (services/energy/meterTimeline.ts): completeness stops at a decommission. */
      timelines?: { of(key: MeterRef): ActivityTimeline };
      /** The district carbon answer (contract 9); without it the report has no district carbon section. */
      districtCarbon?: DistrictCarbonSource;
      /** Energy-review projects (contract 9.1); without it enterprises list no projects. */
      projects?: Pick<ProjectFiguresService, 'projectsAt'>;
    } & BenchmarkSources,
  ) {}

  async build(month: string, generatedAt: number, revision = 0): Promise<MonthlyReport> {
    const { config } = this.deps;
    const zone = config.timezone;
    const bounds = monthBounds(month, zone);
    if (!bounds) throw new BadRequestError(`month must be YYYY-MM, got "${month}"`);
    const { start, end } = bounds;
    // A draft of a month still running holds part of it: not compared with whole months (changes "—").
    const running = generatedAt < end;
    const startDt = DateTime.fromMillis(start, { zone });
    const previousStart = startDt.minus({ months: 1 }).toMillis();
    const lastYearStart = startDt.minus({ years: 1 }).toMillis();
    const enterprises = config.enterprises;
    const ids = enterprises.map((e) => e.id);

    const [series, statuses, counts, carbon, projects, benchmark] = await Promise.all([
      this.deps.consumption.series(ids, lastYearStart, end, '1mo'),
      this.deps.status.statusAt(enterprises, end, { endOf: true }),
      this.deps.store.countUsable(ids, start, end),
      // The month's year at its end (a December report counts for December's year, as the status does).
      this.deps.districtCarbon?.districtCarbon({ enterprises: ids, year: startDt.year, at: end, endOf: true }),
      this.deps.projects?.projectsAt(enterprises, end),
      // The benchmark section and each enterprise's top findings (contract 10, 11): the diagnosis of the month as at generation.
      gatherBenchmarkParts(this.deps, config, { month, start, end, now: generatedAt }),
    ]);
    const raised = await this.deps.alarms.raisedCounts(start, end);
    // Looked up per meter: a linear search per meter was 18 M comparisons (0.9 s) for 6,000 meters.
    const readingsOf = new Map(counts.map((c) => [meterKeyId(c.enterprise, c.meter), c.count]));
    const windows = new Map(
      enterprises.flatMap((e) =>
        e.meters.map((m) => {
          const timeline = this.deps.timelines?.of({ enterprise: e.id, meter: m.id });
          return [meterKeyId(e.id, m.id), timeline ? activeWindow(timeline, start, end) : { from: start, to: end }] as const;
        }),
      ),
    );
    await this.countUntilDecommission(enterprises, start, end, windows, readingsOf);
    const used = new ParametersUsed();
    // The district section's rows (both years) are named without enterprises: no enterprise report shows that section.
    if (carbon) used.add(carbon.parameters);
    const usedBy = new Map<string, string[]>();

    const reports = enterprises.map((e): EnterpriseReport => {
      const points = series.get(e.id)?.series ?? [];
      const inMonth = (t: number) => points.filter((p) => p.time === t);
      const dual = (ps: readonly SeriesPoint[]) => figure(ps.reduce((s, p) => s + (p.dualControl ? p.tce : 0), 0));
      const dualOther = (ps: readonly SeriesPoint[]) => figure(ps.reduce((s, p) => s + (p.dualControl ? p.tceOtherBasis : 0), 0));
      const coefficients = new Map((series.get(e.id)?.coefficients ?? []).map((c) => [`${c.carrier}/${c.unit}`, c]));
      const carriers: Record<string, CarrierFigures> = {};
      for (const p of inMonth(start)) {
        if (p.carrier === 'product') continue;
        const key = carriers[p.carrier] ? `${p.carrier}:${p.unit}` : p.carrier;
        const c = coefficients.get(`${p.carrier}/${p.unit}`);
        // Field by field, not `...p`: time and carrier stay out, and the key order is part of the report's SHA-256 (its JSON).
        carriers[key] = {
          quantity: p.quantity,
          unit: p.unit,
          tce: p.tce,
          tceOtherBasis: p.tceOtherBasis,
          co2Kg: p.co2Kg,
          dualControl: p.dualControl,
          kgcePerUnit: c?.kgcePerUnit ?? 0,
          kgceSource: c?.kgceSource ?? '',
        };
      }
      const totalTce = dual(inMonth(start));
      const previousMonthTce = dual(inMonth(previousStart));
      const sameMonthLastYearTce = dual(inMonth(lastYearStart));
      const s = statuses.get(e.id);
      const ownProjects = projects?.get(e.id)?.projects;
      const own = [...(series.get(e.id)?.parameters ?? []), ...(s?.parameters ?? []), ...(ownProjects ?? []).flatMap((p) => p.parameters)];
      used.add(own);
      for (const k of new Set(own.map(parameterId))) usedBy.set(k, [...(usedBy.get(k) ?? []), e.id]);
      const meters = e.meters.map((m) => meterCompleteness(m, readingsOf.get(meterKeyId(e.id, m.id)) ?? 0, windows.get(meterKeyId(e.id, m.id))));
      const inService = meters.filter((m) => m.expected > 0);
      const alarms = { info: 0, warning: 0, critical: 0 };
      for (const r of raised) if (r.enterprise === e.id) alarms[r.severity] += r.n;
      const intensity = s?.intensity;
      return {
        id: e.id,
        name: e.name,
        industry: e.industry,
        industryName: industryName(e.industry),
        carriers,
        totalTce,
        totalTceOtherBasis: dualOther(inMonth(start)),
        co2Kg: figure(inMonth(start).reduce((sum, p) => sum + p.co2Kg, 0)),
        previousMonthTce,
        sameMonthLastYearTce,
        changeFromPreviousMonth: running ? null : change(totalTce, previousMonthTce),
        changeFromSameMonthLastYear: running ? null : change(totalTce, sameMonthLastYearTce),
        quota: s?.quota
          ? { year: s.quota.year, totalTce: s.quota.totalTce, ytdTce: s.quota.ytdTce, share: s.quota.share, pace: s.quota.pace, level: s.quota.level }
          : null,
        intensity:
          intensity && 'limit' in intensity
            ? {
                intensity: intensity.intensity,
                limit: intensity.limit,
                ratio: intensity.ratio,
                level: intensity.level,
                output10kYuan: intensity.output10kYuan,
                months: intensity.months,
              }
            : intensity
              ? {
                  intensity: null,
                  limit: e.quotas.find((q) => q.year === s?.quota?.year)?.intensityLimit ?? 0,
                  ratio: null,
                  level: null,
                  output10kYuan: null,
                  months: [],
                }
              : null,
        tariff: s?.tariff
          ? {
              tariff: s.tariff.tariff,
              scheme: s.tariff.scheme,
              basis: s.tariff.basis,
              unitConsumption: s.tariff.unitConsumption,
              unit: s.tariff.unit,
              markupYuanPerKwh: s.tariff.markupYuanPerKwh,
              surchargeYuan: s.tariff.surchargeYuan,
              ...(s.tariff.note && { note: s.tariff.note }),
            }
          : null,
        alarms,
        completeness: inService.length ? ratio12(inService.reduce((sum, m) => sum + m.completeness, 0) / inService.length) : 0,
        meters,
        park: parkOf(e, config),
        carbon: reportCarbonOf(
          s?.carbon,
          carbon?.enterprises.find((x) => x.id === e.id),
        ),
        ...(ownProjects && { projects: ownProjects.map(reportProjectOf) }),
      };
    });

    const report: MonthlyReport = {
      month,
      timezone: zone,
      periodFrom: isoInZone(start, zone),
      periodTo: isoInZone(end, zone),
      generatedAt: isoInZone(generatedAt, zone),
      revision,
      sha256: '',
      electricityBasis: config.electricity,
      scope: 'district',
      enterprises: reports.map((e) => withBenchmarkParts(e, benchmark)),
      totals: totalsOf(reports),
      ranking: rankingOf(reports, enterprises),
      concentration: concentrationOf(reports),
      parameters: used.list().map((p): ReportParameterRow => ({ ...p, usedBy: usedBy.get(parameterId(p)) ?? [] })),
      ...(carbon && { carbon }),
      ...(benchmark.district && { benchmark: benchmark.district }),
    };
    return { ...report, sha256: reportHash(report) };
  }

  /**
   * Completeness stops at a decommission (contract 8.1): a meter decommissioned within the month has
   * its readings counted up to the decommission only, not readings stored after it (those that came
   * before the event was recorded), which would otherwise count against the shorter in-service
   * window. One count per distinct decommission instant, for the enterprises with such a meter.
   */
  private async countUntilDecommission(
    enterprises: readonly EnterpriseConfig[],
    start: number,
    end: number,
    windows: ReadonlyMap<string, { from: number; to: number } | undefined>,
    readingsOf: Map<string, number>,
  ): Promise<void> {
    const cut = new Map<number, Map<string, Set<string>>>();
    for (const e of enterprises)
      for (const m of e.meters) {
        const key = meterKeyId(e.id, m.id);
        const w = windows.get(key);
        // Out of service all month: nothing counts (readings stored after the decommission are not the meter's).
        if (w === undefined) readingsOf.set(key, 0);
        if (w === undefined || w.to >= end) continue;
        const byEnterprise = cut.get(w.to) ?? new Map<string, Set<string>>();
        byEnterprise.set(e.id, (byEnterprise.get(e.id) ?? new Set()).add(m.id));
        cut.set(w.to, byEnterprise);
      }
    await Promise.all(
      [...cut].map(async ([to, byEnterprise]) => {
        const counts = await this.deps.store.countUsable([...byEnterprise.keys()], start, to);
        for (const [enterprise, meters] of byEnterprise)
          for (const meter of meters)
            readingsOf.set(meterKeyId(enterprise, meter), counts.find((c) => c.enterprise === enterprise && c.meter === meter)?.count ?? 0);
      }),
    );
  }
}

const parameterId = (p: ParameterRow): string => `${p.key}@${p.year ?? ''}`;

/** 能效领跑者: within each industry, lowest unit consumption (or, without it, intensity) first. */
function rankingOf(reports: readonly EnterpriseReport[], configs: readonly EnterpriseConfig[]): RankingEntry[] {
  interface Candidate {
    e: EnterpriseReport;
    metric: RankingEntry['metric'];
    value: number;
    unit: string;
  }
  const entries = reports.flatMap((e): Candidate[] => {
    if (e.tariff?.unitConsumption != null) return [{ e, metric: 'unit-consumption', value: e.tariff.unitConsumption, unit: e.tariff.unit }];
    if (e.intensity?.intensity != null) return [{ e, metric: 'intensity', value: e.intensity.intensity, unit: 'tce/万元 (10^4 yuan)' }];
    return [];
  });
  const groups = new Map<string, Candidate[]>();
  for (const x of entries) {
    const k = `${x.e.industry}/${x.metric}/${x.unit}`;
    groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  const order = new Map(configs.map((c, i) => [c.id, i]));
  return [...groups.values()].flatMap((g) =>
    g
      .sort((a, b) => a.value - b.value || (order.get(a.e.id) ?? 0) - (order.get(b.e.id) ?? 0))
      .map((x, i) => ({
        industry: x.e.industry,
        industryName: x.e.industryName,
        rank: i + 1,
        enterprise: x.e.id,
        name: x.e.name,
        metric: x.metric,
        value: x.value,
        unit: x.unit,
      })),
  );
}

function concentrationOf(reports: readonly EnterpriseReport[]): MonthlyReport['concentration'] {
  const total = reports.reduce((s, e) => s + e.totalTce, 0);
  const sorted = [...reports].sort((a, b) => b.totalTce - a.totalTce);
  return [1, 3, 5]
    .filter((n) => n <= sorted.length)
    .map((n) => {
      const top = sorted.slice(0, n);
      return { top: n, share: total === 0 ? 0 : ratio12(top.reduce((s, e) => s + e.totalTce, 0) / total), enterprises: top.map((e) => e.id) };
    });
}

/**
 * A meter's completeness over the month (contract 4), over `window`, the part of the month it was in
 * service (contract 8.1: it stops at a decommission), with the readings counted in that window. A meter
 * out of service all month expects nothing: it is listed with expected 0 and completeness 1, and left
 * out of the enterprise's mean.
 */
function meterCompleteness(
  m: EnterpriseConfig['meters'][number],
  readings: number,
  window: { from: number; to: number } | undefined,
): EnterpriseReport['meters'][number] {
  if (!window) return { meter: m.id, carrier: m.carrier, readings, expected: 0, completeness: 1 };
  const period = window.to - window.from;
  return {
    meter: m.id,
    carrier: m.carrier,
    readings,
    expected: ratio12(period / (m.intervalSeconds * 1000)),
    completeness: ratio12(completeness(readings, period, m.intervalSeconds)),
  };
}

/**
 * Ratios to 12 significant digits, without float noise (0.29677419354838707 -> 0.296774193548): the
 * precision the content hash compares at (reportHash.ts), so a month finalised before this rounding
 * is not revised by it.
 */
function ratio12(x: number): number {
  return Number(x.toPrecision(12));
}
