/**
 * The monthly report's benchmark parts (contract 10 and 11; issue 16): the district benchmark answer at
 * the month's end (rolling 12 months), each enterprise's benchmarked products and its top findings of
 * the month's diagnosis, and the view of a report without these parts that reports finalised before
 * them are compared with (docs/benchmark.md and docs/diagnosis.md, "Monthly report").
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../config/schema';
import { benchmarkSeverity } from '../energy/benchmark';
import type { FactorTable } from '../energy/factors';
import type { BenchmarkFiguresService, BenchmarkPeriodAt, ProductBenchmarkAt } from '../figures/benchmarkFigures';
import type { DiagnosisFiguresService } from '../figures/diagnosisFigures';
import type { DistrictBenchmark, DistrictBenchmarkService } from '../figures/districtBenchmark';
import { dataYear, factorsOfYear } from '../figures/factorYear';
import { topFindings, type ElectricityPricing } from './findings';
import type { EnterpriseReport, MonthlyReport, ReportBenchmarkPeriod, ReportFinding, ReportProductBenchmark } from './reportModel';

/** What the builder needs for the benchmark section; each part is optional. */
export interface BenchmarkSources {
  /** Benchmark figures per enterprise and the district answer (contract 10). */
  readonly benchmark?: {
    readonly enterprise: Pick<BenchmarkFiguresService, 'benchmarkAt' | 'co2PerTceOf'>;
    readonly district: Pick<DistrictBenchmarkService, 'districtBenchmark'>;
  };
  /** The month's diagnosis (contract 11) and the factors that price its kWh. */
  readonly diagnosis?: { readonly figures: Pick<DiagnosisFiguresService, 'diagnosis'>; readonly factors: FactorTable };
}

export interface BenchmarkParts {
  readonly district: DistrictBenchmark | undefined;
  /** Per enterprise id: its products (when benchmark figures are wired) and the inputs of its findings. */
  readonly enterprises: ReadonlyMap<
    string,
    {
      benchmark?: ReportProductBenchmark[];
      diagnosis?: Awaited<ReturnType<DiagnosisFiguresService['diagnosis']>>;
      /** The enterprise's t CO2 per tce over the month (null: not known, findings in tce only). */
      co2TPerTce: number | null;
    }
  >;
  readonly electricity: ElectricityPricing | undefined;
}

/** Enterprises looked at in parallel: each asks the store a handful of queries. */
const PARALLEL = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const periodOf = (p: BenchmarkPeriodAt): ReportBenchmarkPeriod => ({
  periodFrom: p.periodFrom,
  periodTo: p.periodTo,
  sec: p.sec,
  tier: p.tier,
  quantity: p.quantity,
  savingsTce: p.savingsTce,
  savingsCo2T: p.savingsCo2T,
  months: p.months,
  enteredMonths: p.enteredMonths,
  note: p.note ?? null,
});

/**
 * A product as the report lists it, field by field (the key order is part of the SHA-256). At the end of
 * December the year to date of the figures service is the new, empty year; the whole calendar year is
 * the rolling 12 months then, so those stand for the year to date.
 */
export function reportProductOf(p: ProductBenchmarkAt, end: number, zone: string): ReportProductBenchmark {
  const december = DateTime.fromMillis(end, { zone }).month === 1;
  return {
    product: p.product,
    name: p.name,
    nameEn: p.nameEn,
    metric: p.metric,
    unit: p.unit,
    benchmark: p.benchmark,
    baseline: p.baseline,
    deadline: p.deadline,
    edition: p.edition,
    source: p.source,
    boundary: p.boundary.meters,
    ytd: periodOf(december ? p.rolling12 : p),
    rolling12: periodOf(p.rolling12),
    severity: benchmarkSeverity(p.rolling12.tier, p.deadline, end, zone),
  };
}

/** Electricity on the equivalent basis and the grid factor of the month's data year (contract 8.2). */
export function electricityPricing(factors: FactorTable, start: number, zone: string): ElectricityPricing | undefined {
  const view = factorsOfYear(factors, dataYear(start, zone));
  const f = view.carrier('electricity', 'kWh');
  if (!f) return undefined;
  const equivalentRow = view.electricityBasis === 'equivalent' ? f.kgceRow : (f.otherBasisKgceRow ?? f.kgceRow);
  return {
    kgcePerKwh: f.equivalentKgcePerUnit,
    kgceSource: equivalentRow.source,
    kgCo2PerKwh: { value: f.kgCo2PerUnit, year: f.kgCo2Row.year ?? null, source: f.kgCo2Row.source },
  };
}

/** Everything the section needs from the figures services, for the month [start, end) built at `now`. */
export async function gatherBenchmarkParts(
  sources: BenchmarkSources,
  config: Config,
  w: { month: string; start: number; end: number; now: number },
): Promise<BenchmarkParts> {
  const zone = config.timezone;
  const { benchmark, diagnosis } = sources;
  const enterprises = config.enterprises;
  const perEnterprise = await mapLimit(enterprises, PARALLEL, async (e: EnterpriseConfig) => {
    const [products, diag, co2TPerTce] = await Promise.all([
      benchmark?.enterprise.benchmarkAt(e, w.end),
      diagnosis?.figures.diagnosis(e, w.month, { now: w.now }),
      // Findings price CO2 at the enterprise's CO2 per tce of the month, as the benchmark does (contract 10).
      diagnosis ? benchmark?.enterprise.co2PerTceOf(e, w.start, w.end) : undefined,
    ]);
    return [
      e.id,
      {
        ...(products && { benchmark: products.map((p) => reportProductOf(p, w.end, zone)) }),
        ...(diag && { diagnosis: diag }),
        co2TPerTce: co2TPerTce ?? null,
      },
      products,
    ] as const;
  });
  // The district answer from the same figures (benchmark figures are the costly part of a report).
  const figures = new Map(perEnterprise.flatMap(([id, , products]) => (products ? [[id, products] as const] : [])));
  const district = await benchmark?.district.districtBenchmark({
    enterprises: enterprises.map((e) => e.id),
    at: w.end,
    period: 'rolling12',
    figures,
  });
  return {
    district,
    enterprises: new Map(perEnterprise.map(([id, parts]) => [id, parts])),
    electricity: diagnosis ? electricityPricing(diagnosis.factors, w.start, zone) : undefined,
  };
}

/** The enterprise with its benchmark keys: products when benchmark figures are wired, findings when the diagnosis is. */
export function withBenchmarkParts(e: EnterpriseReport, parts: BenchmarkParts): EnterpriseReport {
  const own = parts.enterprises.get(e.id);
  if (!own || (own.benchmark === undefined && own.diagnosis === undefined)) return e;
  const findings: ReportFinding[] | undefined =
    own.diagnosis === undefined
      ? undefined
      : topFindings({
          diagnosis: own.diagnosis,
          products: own.benchmark ?? [],
          electricity: parts.electricity,
          co2TPerTce: own.co2TPerTce,
        });
  return { ...e, ...(own.benchmark && { benchmark: own.benchmark }), ...(findings && { findings }) };
}

/** Whether the report has the benchmark parts (built after issue 16) or was finalised before them. */
export function hasBenchmarkParts(report: MonthlyReport): boolean {
  return report.benchmark !== undefined || report.enterprises.some((e) => e.benchmark !== undefined || e.findings !== undefined);
}

/**
 * The report as one built before the benchmark parts would be: what a revision finalised then is
 * compared with. The keys left keep their order (the new ones came last), so the content hash is the same.
 */
export function withoutBenchmark(report: MonthlyReport): MonthlyReport {
  const rest = (({ benchmark: _benchmark, ...r }: MonthlyReport) => r)(report);
  return { ...rest, enterprises: report.enterprises.map(({ benchmark: _b, findings: _f, ...e }) => e) };
}
