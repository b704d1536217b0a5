/**
 * Benchmark figures of an enterprise at an instant (contract 10): per product, unit consumption over
 * the product's meter boundary year to date and over the last 12 complete months, its tier against
 * the 2023-edition levels, savings potential in tce and t CO2. Product quantities of record: an
 * entered month (contract 8.3) replaces the metered one. Decisions: docs/benchmark.md.
 */
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig, MeterConfig } from '../../config/schema';
import type { BenchmarkRow } from '../../config/benchmarkSchema';
import { benchmarkTable } from '../../config/benchmarks';
import { conversionFactor, convert } from '../../config/units';
import { benchmarkFigures, type BenchmarkFigures } from '../energy/benchmark';
import { countsInEnergyUse } from '../energy/energyUse';
import type { FactorTable } from '../energy/factors';
import type { MonthlyRecord } from '../energy/monthlyStatistics';
import type { ParameterRow } from '../energy/parameterRow';
import { benchmarkedProducts, productBoundary } from '../energy/productBoundary';
import { bucketStart, isoInZone, yearBounds } from '../energy/time';
import type { ConsumptionRow, TimeSeriesStore } from '../store/timeSeriesStore';
import { boundaryEnergyOf, quantityMeters } from './boundaryEnergy';
import { ConsumptionService } from './consumptionService';
import { enteredCarrierRows, monthOf, monthSpan, type MonthlyRecordSource } from './enteredFigures';
import { ParametersUsed } from './parametersUsed';
import { figure } from './precision';

/** The figures of one period, rounded for the answer. */
export interface BenchmarkPeriodAt extends BenchmarkFigures {
  /** [from, to) in the site zone, ISO-8601 with the offset. */
  readonly periodFrom: string;
  readonly periodTo: string;
  /** The months of the period that have data (energy or product), YYYY-MM, oldest first. */
  readonly months: string[];
  /** Months whose product quantity is the entered one (contract 8.3). */
  readonly enteredMonths: string[];
  /** Boundary energy of the period: kgce on the equivalent basis, AC kWh. */
  readonly boundaryKgce: number;
  readonly boundaryAcKwh: number;
  /** The enterprise's t CO2 per tce over the period (all its CO2 / all the energy it used, 当量值); null without energy. */
  readonly co2TPerTce: number | null;
}

/** One product of GET /api/enterprises/{id}/benchmark: the contract's fields year to date, and more. */
export interface ProductBenchmarkAt extends BenchmarkPeriodAt, BenchmarkRow {
  /** The boundary's meter ids, and whether they are the default boundary. */
  readonly boundary: { readonly meters: string[]; readonly default: boolean };
  readonly rolling12: BenchmarkPeriodAt;
  /** Every coefficient and emission-factor row used (contract 8.2). */
  readonly parameters: ParameterRow[];
}

interface Period {
  readonly start: number;
  readonly end: number;
}

interface Sums {
  kgce: number;
  acKwh: number;
  quantity: number | null;
  months: Set<string>;
  entered: Set<string>;
}

/** The enterprise's t CO2 per tce of a period and the factor rows behind it. */
interface EnterpriseCo2 {
  readonly ratio: number | null;
  readonly rows: readonly ParameterRow[];
}

export class BenchmarkFiguresService {
  private readonly table: readonly BenchmarkRow[];

  private readonly consumption: ConsumptionService;

  constructor(private readonly deps: { store: TimeSeriesStore; outputs: MonthlyRecordSource; config: Config; factors: FactorTable }) {
    this.table = benchmarkTable(deps.config.benchmarks);
    this.consumption = new ConsumptionService({ store: deps.store, factors: deps.factors, config: deps.config, monthly: deps.outputs });
  }

  /** The rows in force: shipped levels with the configuration's rows. */
  levels(): readonly BenchmarkRow[] {
    return this.table;
  }

  /**
   * The enterprise's benchmarked products at `at`: year to date = 1 January to the start of `at`'s
   * day (whole days); rolling 12 = the 12 calendar months before `at`'s month.
   */
  async benchmarkAt(e: EnterpriseConfig, at: number): Promise<ProductBenchmarkAt[]> {
    const zone = this.deps.config.timezone;
    const ytd: Period = { start: yearBounds(at, zone).start, end: bucketStart(at, '1d', zone) };
    const monthStart = DateTime.fromMillis(at, { zone }).startOf('month');
    const r12: Period = { start: monthStart.minus({ months: 12 }).toMillis(), end: monthStart.toMillis() };
    const from = Math.min(ytd.start, r12.start);
    const to = Math.max(ytd.end, r12.end);
    const records = to > from ? await this.deps.outputs.records([e.id], monthOf(from, zone), monthOf(to - 1, zone)) : [];
    const ended = records.filter((r) => r.enterprise === e.id && monthSpan(r.month, zone).end <= at);
    const levelled = new Set(this.table.map((r) => r.product));
    const products = benchmarkedProducts(e, levelled).flatMap((p) => {
      const row = this.table.find((r) => r.product === p);
      return row ? [row] : [];
    });
    if (products.length === 0) return [];
    // Contract 10: savings in t CO2 "at the enterprise's CO2 per tce of the period": once per enterprise, not per product.
    const [ytdCo2, r12Co2] = await Promise.all([this.enterpriseCo2PerTce(e, ytd), this.enterpriseCo2PerTce(e, r12)]);
    const co2 = new Map([
      [ytd, ytdCo2],
      [r12, r12Co2],
    ]);
    return Promise.all(products.map((row) => this.productAt(e, row, { ytd, r12, from, to, co2 }, ended)));
  }

  private async productAt(
    e: EnterpriseConfig,
    row: BenchmarkRow,
    w: { ytd: Period; r12: Period; from: number; to: number; co2: ReadonlyMap<Period, EnterpriseCo2> },
    ended: readonly MonthlyRecord[],
  ): Promise<ProductBenchmarkAt> {
    const zone = this.deps.config.timezone;
    const boundary = productBoundary(e, row.product);
    const isDefault = e.products.find((p) => p.product === row.product)?.meters === undefined;
    const [energyRows, productRows] = await Promise.all([
      this.daily(e, boundary, w.from, w.to),
      this.daily(e, quantityMeters(e, row.product), w.from, w.to),
    ]);
    // Entered carriers are the enterprise's, not a line's: they belong to the default boundary only.
    const entered = isDefault ? enteredCarrierRows(ended, zone, this.deps.factors) : [];
    const used = new ParametersUsed();
    for (const c of w.co2.values()) used.add(c.rows);
    const period = (p: Period): BenchmarkPeriodAt => {
      const sums = this.energySums([...energyRows, ...entered], p, used);
      addQuantities(sums, row, productRows, ended, p, zone);
      const co2TPerTce = w.co2.get(p)?.ratio ?? null;
      const f = benchmarkFigures({
        row,
        energy: { kgceEquivalent: sums.kgce, acKwh: sums.acKwh },
        quantity: sums.quantity,
        equivalentKgcePerKwh: this.deps.factors.carrier('electricity', 'kWh')?.equivalentKgcePerUnit ?? 0.1229,
        co2TPerTce,
      });
      return {
        sec: figure(f.sec),
        tier: f.tier,
        quantity: figure(f.quantity),
        savingsTce: figure(f.savingsTce),
        savingsCo2T: figure(f.savingsCo2T),
        ...(f.note !== undefined && { note: f.note }),
        periodFrom: isoInZone(p.start, zone),
        periodTo: isoInZone(Math.max(p.start, p.end), zone),
        months: [...sums.months].sort(),
        enteredMonths: [...sums.entered].sort(),
        boundaryKgce: figure(sums.kgce),
        boundaryAcKwh: figure(sums.acKwh),
        co2TPerTce: figure(co2TPerTce),
      };
    };
    const ytd = period(w.ytd);
    const rolling12 = period(w.r12);
    return {
      ...row,
      ...ytd,
      boundary: { meters: boundary.map((m) => m.id), default: isDefault },
      rolling12,
      parameters: used.list(),
    };
  }

  /** The enterprise's t CO2 per tce over [from, to) (contract 10): what a saving of energy is worth in CO2. */
  async co2PerTceOf(e: EnterpriseConfig, from: number, to: number): Promise<number | null> {
    return (await this.enterpriseCo2PerTce(e, { start: from, end: to })).ratio;
  }

  /**
   * The enterprise's t CO2 per tce over a period: all its CO2 (combustion, process, scope 2 less
   * green certificates; services/figures/consumptionCarbon.ts, entered figures of whole months)
   * over all the energy it used on the equivalent basis (services/energy/energyUse.ts); null without energy.
   */
  private async enterpriseCo2PerTce(e: EnterpriseConfig, p: Period): Promise<EnterpriseCo2> {
    if (p.end <= p.start) return { ratio: null, rows: [] };
    const answer = (await this.consumption.series([e.id], p.start, p.end, '1mo', { co2: true })).get(e.id);
    if (!answer?.co2) return { ratio: null, rows: [] };
    const equivalent = this.deps.factors.electricityBasis === 'equivalent';
    let tce = 0;
    for (const r of answer.series) if (countsInEnergyUse(r.carrier, r.dualControl)) tce += equivalent ? r.tce : r.tceOtherBasis;
    return { ratio: tce > 0 ? answer.co2.totalT / tce : null, rows: answer.co2.rows };
  }

  private async daily(e: EnterpriseConfig, meters: readonly MeterConfig[], from: number, to: number): Promise<ConsumptionRow[]> {
    if (meters.length === 0 || to <= from) return [];
    return this.deps.store.consumption({
      enterprises: [e.id],
      from,
      to,
      every: '1d',
      zone: this.deps.config.timezone,
      meters: meters.map((m) => ({ enterprise: e.id, meter: m.id })),
    });
  }

  /**
   * Boundary energy of a period, each row priced by the factors of its data year (contract 8.2):
   * kgce on the equivalent basis (当量值) and AC kWh (grid plus on-site renewable).
   */
  private energySums(rows: readonly ConsumptionRow[], p: Period, used: ParametersUsed): Sums {
    const zone = this.deps.config.timezone;
    const sums: Sums = { kgce: 0, acKwh: 0, quantity: null, months: new Set(), entered: new Set() };
    for (const r of rows) {
      if (r.time < p.start || r.time >= p.end) continue;
      const part = boundaryEnergyOf(r, this.deps.factors, zone);
      if (!part) continue;
      used.addCarrier(part.factor);
      sums.kgce += part.kgce;
      sums.acKwh += part.acKwh;
      sums.months.add(monthOf(r.time, zone));
    }
    return sums;
  }
}

/**
 * Product quantity of a period in the level's unit: an entered month (ended by t) replaces the
 * metered rows of that month (contract 8.3); an entry in a unit that does not convert is ignored.
 */
function addQuantities(
  sums: Sums,
  row: BenchmarkRow,
  metered: readonly ConsumptionRow[],
  ended: readonly MonthlyRecord[],
  p: Period,
  zone: string,
): void {
  const add = (quantity: number, unit: string, month: string): void => {
    const scale = conversionFactor(unit, row.unit);
    if (scale === undefined) return;
    sums.quantity = (sums.quantity ?? 0) + convert(quantity, scale);
    sums.months.add(month);
  };
  const replaced = new Set<string>();
  for (const r of ended) {
    const entry = r.products?.[row.product];
    const start = monthSpan(r.month, zone).start;
    if (entry === undefined || start < p.start || start >= p.end || conversionFactor(entry.unit, row.unit) === undefined) continue;
    replaced.add(r.month);
    sums.entered.add(r.month);
    add(entry.quantity, entry.unit, r.month);
  }
  for (const r of metered) {
    const month = monthOf(r.time, zone);
    if (r.time >= p.start && r.time < p.end && !replaced.has(month)) add(r.quantity, r.unit, month);
  }
}
