/**
 * GET /api/district/benchmark (contract 10): per product the share of output made at benchmark,
 * the plants below baseline with their deadlines, the savings potential, and the efficiency-leader
 * (能效领跑者) candidates. From each enterprise's own benchmark figures (BenchmarkFiguresService),
 * so the district and the enterprise pages never disagree. Decisions: docs/benchmark.md.
 */
import { DateTime } from 'luxon';
import type { BenchmarkRow, Config } from '../../config/schema';
import { enterprisesIn } from './enterpriseSelection';
import { benchmarkSeverity, type BenchmarkTier } from '../energy/benchmark';
import { leaderCheck, nonFossilShare, outputAtBenchmark, type LeaderCheck } from '../energy/districtBenchmark';
import { bucketStart, isoInZone, yearBounds } from '../energy/time';
import type { Severity } from '../../config/schema';
import type { BenchmarkFiguresService, BenchmarkPeriodAt, ProductBenchmarkAt } from './benchmarkFigures';
import type { ConsumptionService } from './consumptionService';
import { monthOf, monthSpan, recordsIn, type MonthlyRecordSource } from './enteredFigures';
import { figure } from './precision';

export type BenchmarkPeriod = 'rolling12' | 'ytd';

export interface PlantBelowBaseline {
  readonly enterprise: string;
  readonly name: string;
  readonly sec: number | null;
  readonly quantity: number | null;
  readonly deadline: string;
  /** The `benchmark` alarm's severity at `at` (warning from 12 months before the deadline, critical from it on); null before. */
  readonly severity: Severity | null;
  readonly savingsTce: number | null;
}

/** A product's level row (config/benchmarks.yaml) with the district's figures. */
export interface DistrictProduct extends BenchmarkRow {
  /** Plants making the product (with or without output in the period). */
  readonly plants: number;
  readonly quantity: number;
  readonly quantityAtBenchmark: number;
  readonly shareAtBenchmark: number | null;
  readonly tiers: { readonly benchmark: number; readonly compliant: number; readonly belowBaseline: number; readonly none: number };
  readonly belowBaseline: readonly PlantBelowBaseline[];
  readonly savingsTce: number;
  readonly savingsCo2T: number;
}

export interface LeaderRow extends LeaderCheck {
  readonly enterprise: string;
  readonly name: string;
  /** Energy a year, tce on the configured basis: the last 12 months (x 12 / months with data when fewer), or the year to date / elapsed fraction. */
  readonly annualTce: number;
  readonly nonFossilShare: number | null;
  readonly products: readonly { readonly product: string; readonly tier: BenchmarkTier | null }[];
}

export interface DistrictBenchmark {
  readonly at: string;
  readonly timezone: string;
  readonly period: BenchmarkPeriod;
  readonly from: string;
  readonly to: string;
  readonly products: readonly DistrictProduct[];
  readonly savingsTce: number;
  /** Savings in t CO2 of the plants whose CO2 per tce is known; `savingsCo2Complete` says whether that is all of them. */
  readonly savingsCo2T: number;
  readonly savingsCo2Complete: boolean;
  /** Ids of the efficiency-leader candidates. */
  readonly leaders: readonly string[];
  /** Every enterprise with a benchmarked product, against each criterion (near misses visible). */
  readonly leaderChecks: readonly LeaderRow[];
  readonly rules: { readonly minAnnualTce: number; readonly minNonFossilShare: number };
}

export class DistrictBenchmarkService {
  constructor(
    private readonly deps: {
      config: Config;
      benchmark: Pick<BenchmarkFiguresService, 'benchmarkAt' | 'levels'>;
      consumption: Pick<ConsumptionService, 'series'>;
      outputs: MonthlyRecordSource;
    },
  ) {}

  /**
   * `figures`: the enterprises' own benchmark answers at `at` when the caller already has them (the
   * monthly report), so they are not computed twice; missing enterprises are computed here.
   */
  async districtBenchmark(input: {
    enterprises: readonly string[];
    at: number;
    period: BenchmarkPeriod;
    figures?: ReadonlyMap<string, readonly ProductBenchmarkAt[]>;
  }): Promise<DistrictBenchmark> {
    const { config } = this.deps;
    const zone = config.timezone;
    const enterprises = enterprisesIn(config, input.enterprises);
    const levels = new Map(this.deps.benchmark.levels().map((r) => [r.product, r]));
    // Every product listed has figures, and figures exist only for levelled products.
    const levelOf = (product: string): BenchmarkRow => levels.get(product)!;
    const { from, to, fraction } = periodOf(input.at, input.period, zone);
    const figures = new Map(
      await Promise.all(
        enterprises.map(async (e) => [e.id, input.figures?.get(e.id) ?? (await this.deps.benchmark.benchmarkAt(e, input.at))] as const),
      ),
    );
    const withProducts = enterprises.filter((e) => (figures.get(e.id) ?? []).length > 0);
    const energy = await this.energyOf(
      withProducts.map((e) => e.id),
      from,
      to,
      input.at,
    );
    const of = (p: ProductBenchmarkAt): BenchmarkPeriodAt => (input.period === 'ytd' ? p : p.rolling12);

    const byProduct = new Map<
      string,
      { row: ProductBenchmarkAt; plants: { id: string; name: string; f: BenchmarkPeriodAt; rolling12Tier: BenchmarkTier | null }[] }
    >();
    for (const e of enterprises)
      for (const p of figures.get(e.id) ?? []) {
        const entry = byProduct.get(p.product) ?? { row: p, plants: [] };
        entry.plants.push({ id: e.id, name: e.name, f: of(p), rolling12Tier: p.rolling12.tier });
        byProduct.set(p.product, entry);
      }
    let co2Complete = true;
    const products: DistrictProduct[] = [...byProduct.values()]
      .sort((a, b) => a.row.product.localeCompare(b.row.product))
      .map(({ row, plants }) => {
        const share = outputAtBenchmark(plants.map((p) => p.f));
        const count = (tier: BenchmarkTier | null) => plants.filter((p) => p.f.tier === tier).length;
        for (const p of plants) if (p.f.savingsTce !== null && p.f.savingsTce > 0 && p.f.savingsCo2T === null) co2Complete = false;
        return {
          ...levelOf(row.product),
          plants: plants.length,
          quantity: figure(share.quantity),
          quantityAtBenchmark: figure(share.quantityAtBenchmark),
          shareAtBenchmark: share.shareAtBenchmark,
          tiers: { benchmark: count('benchmark'), compliant: count('compliant'), belowBaseline: count('below-baseline'), none: count(null) },
          belowBaseline: plants
            .filter((p) => p.f.tier === 'below-baseline')
            .map((p) => ({
              enterprise: p.id,
              name: p.name,
              sec: p.f.sec,
              quantity: p.f.quantity,
              deadline: row.deadline,
              // The alarm follows the last 12 months whatever period is shown (contract 10).
              severity: benchmarkSeverity(p.rolling12Tier, row.deadline, input.at, zone),
              savingsTce: p.f.savingsTce,
            })),
          savingsTce: figure(plants.reduce((s, p) => s + (p.f.savingsTce ?? 0), 0)),
          savingsCo2T: figure(plants.reduce((s, p) => s + (p.f.savingsCo2T ?? 0), 0)),
        };
      });
    const rules = config.rules.leaders;
    const leaderChecks: LeaderRow[] = withProducts.map((e) => {
      const own = (figures.get(e.id) ?? []).map((p) => ({ product: p.product, tier: of(p).tier }));
      const en = energy.get(e.id) ?? { tce: 0, gridKwh: 0, renewableKwh: 0, certificateKwh: 0, months: 0 };
      // The last 12 months with less history: the months it has, scaled to a year (as the benchmark's rolling 12).
      const yearShare = input.period === 'rolling12' ? Math.max(1, en.months) / 12 : fraction;
      const annualTce = figure(yearShare > 0 ? en.tce / yearShare : 0);
      const share = nonFossilShare(en);
      return {
        enterprise: e.id,
        name: e.name,
        annualTce,
        nonFossilShare: share,
        products: own,
        ...leaderCheck({ annualTce, tiers: own.map((p) => p.tier), nonFossilShare: share }, rules),
      };
    });
    return {
      at: isoInZone(input.at, zone),
      timezone: zone,
      period: input.period,
      from: isoInZone(from, zone),
      to: isoInZone(to, zone),
      products,
      savingsTce: figure(products.reduce((s, p) => s + p.savingsTce, 0)),
      savingsCo2T: figure(products.reduce((s, p) => s + p.savingsCo2T, 0)),
      savingsCo2Complete: co2Complete,
      leaders: leaderChecks.filter((l) => l.candidate).map((l) => l.enterprise),
      leaderChecks,
      rules: { minAnnualTce: rules.minAnnualTce, minNonFossilShare: rules.minNonFossilShare },
    };
  }

  /** Dual-control tce, grid and renewable kWh and green-certificate kWh (months ended by `at`) per enterprise over [from, to). */
  private async energyOf(ids: readonly string[], from: number, to: number, at: number) {
    const out = new Map<string, { tce: number; gridKwh: number; renewableKwh: number; certificateKwh: number; months: number }>();
    if (ids.length === 0 || to <= from) return out;
    const zone = this.deps.config.timezone;
    // Entered carriers count from their month's end (contract 8.3): whole months by month (entries
    // included), the running month by day (a daily series carries no entries).
    const monthStart = Math.max(from, DateTime.fromMillis(at, { zone }).startOf('month').toMillis());
    const [months, days] = await Promise.all([
      monthStart > from ? this.deps.consumption.series(ids, from, Math.min(to, monthStart), '1mo') : Promise.resolve(undefined),
      to > monthStart ? this.deps.consumption.series(ids, monthStart, to, '1d') : Promise.resolve(undefined),
    ]);
    for (const id of ids) {
      const e = { tce: 0, gridKwh: 0, renewableKwh: 0, certificateKwh: 0, months: 0 };
      const withData = new Set<string>();
      for (const s of [...(months?.get(id)?.series ?? []), ...(days?.get(id)?.series ?? [])]) {
        if (s.dualControl) e.tce += s.tce;
        if (s.dualControl && s.quantity !== 0) withData.add(monthOf(s.time, zone));
        // Electricity series come in the coefficient's unit, kWh.
        if (s.carrier === 'electricity' && s.unit === 'kWh') e.gridKwh += s.quantity;
        if (s.carrier === 'renewable_electricity' && s.unit === 'kWh') e.renewableKwh += s.quantity;
      }
      out.set(id, { ...e, months: withData.size });
    }
    for (const r of await recordsIn(this.deps.outputs, ids, from, to, zone)) {
      const e = out.get(r.enterprise);
      if (e && monthSpan(r.month, zone).end <= at) e.certificateKwh += r.greenCertificatesKwh ?? 0;
    }
    return out;
  }
}

/**
 * The period's bounds as BenchmarkFiguresService takes them: the 12 complete months before `at`'s
 * month, or 1 January to the start of `at`'s day; `fraction` turns the period's energy into a year's.
 */
function periodOf(at: number, period: BenchmarkPeriod, zone: string): { from: number; to: number; fraction: number } {
  if (period === 'rolling12') {
    const monthStart = DateTime.fromMillis(at, { zone }).startOf('month');
    return { from: monthStart.minus({ months: 12 }).toMillis(), to: monthStart.toMillis(), fraction: 1 };
  }
  const { start, end } = yearBounds(at, zone);
  const to = bucketStart(at, '1d', zone);
  return { from: start, to, fraction: (to - start) / (end - start) };
}
