/**
 * The energy-saving diagnosis of an enterprise or one of its meters for a month (contract 11): base
 * load, off-hours and time-of-use shares from the month's hourly consumption, anomalous days against
 * the same weekday of the weeks before, and unit consumption per product by day with its trend. The
 * arithmetic is services/energy/diagnosis.ts; decisions are in docs/diagnosis.md.
 */
import { DateTime } from 'luxon';
import { benchmarkRowOf, benchmarkTable } from '../../config/benchmarks';
import type { BenchmarkRow } from '../../config/benchmarkSchema';
import type { Config, EnterpriseConfig, MeterConfig } from '../../config/schema';
import { judgeDay, leastSquaresTrend, loadProfile, median, offHoursShare, touShares, type HourPoint, type Trend } from '../energy/diagnosis';
import type { FactorTable } from '../energy/factors';
import { productBoundary } from '../energy/productBoundary';
import { hourFloor, isoInZone, monthBounds } from '../energy/time';
import type { MeterTimelines } from '../energy/meterTimeline';
import type { ConsumptionRow, TimeSeriesStore } from '../store/timeSeriesStore';
import {
  anomalyDefinition,
  baseLoadDefinition,
  offHoursDefinition,
  productDefinition,
  touDefinition,
  type DefinitionInputs,
} from './diagnosisDefinitions';
import type { AnomalousDay, DiagnosisAnomalies, DiagnosisAnswer, DiagnosisDay, DiagnosisProduct, ProductDay, TrendFigures } from './diagnosisTypes';
import { boundaryEnergyOf, quantitiesIn, quantityMeters } from './boundaryEnergy';
import { viewCoverage, spanCovered } from './diagnosisCoverage';
import { dataYear, factorsOfYear } from './factorYear';
import { figure } from './precision';

export type { DiagnosisAnswer } from './diagnosisTypes';

const ELECTRIC = new Set(['electricity', 'renewable_electricity']);

/** A day's consumption: `value` is what the rule judges; tce on both bases beside it (null without a factor). */
interface DayValue {
  readonly value: number;
  readonly tce: number | null;
  readonly tceOther: number | null;
}

export class DiagnosisFiguresService {
  /** The benchmark levels in force: a product's daily unit consumption is in its level's unit. */
  private readonly levels: readonly BenchmarkRow[];

  /** `timelines`: the meter events in force, so a decommissioned meter is asked for no coverage after it. */
  constructor(private readonly deps: { store: TimeSeriesStore; config: Config; factors: FactorTable; timelines?: MeterTimelines }) {
    this.levels = benchmarkTable(deps.config.benchmarks);
  }

  private decommissionOf(enterprise: string): (meter: string) => number | undefined {
    return (meter) => this.deps.timelines?.of({ enterprise, meter }).decommissionedAt;
  }

  /** `month` is YYYY-MM (the route checks it); `now` cuts the running month at the current hour and day. */
  async diagnosis(e: EnterpriseConfig, month: string, options: { meter?: MeterConfig; now: number }): Promise<DiagnosisAnswer> {
    const { config } = this.deps;
    const zone = config.timezone;
    const bounds = monthBounds(month, zone);
    if (!bounds) throw new RangeError(`month must be YYYY-MM, got ${month}`);
    const meter = options.meter;
    const to = Math.max(bounds.start, Math.min(bounds.end, hourFloor(options.now)));
    const dayTo = Math.max(bounds.start, Math.min(bounds.end, DateTime.fromMillis(options.now, { zone }).startOf('day').toMillis()));
    const d = config.diagnosis;
    const inputs: DefinitionInputs = {
      meterView: meter !== undefined,
      percentile: d.baseLoadPercentile,
      thresholdMads: d.anomaly.thresholdMads,
      weeks: d.anomaly.weeks,
      minHistoryDays: d.anomaly.minHistoryDays,
      basis: config.electricity,
    };

    const hourlyMeters = meter ? [meter] : e.meters.filter((m) => !m.submeter && ELECTRIC.has(m.carrier));
    const [hourRows, covered] = await Promise.all([
      this.rows(e, hourlyMeters, bounds.start, to, '1h'),
      viewCoverage(this.deps.store, e.id, hourlyMeters, bounds.start, to, this.decommissionOf(e.id)),
    ]);
    // An hour without reading coverage is left out, not taken as the 0 ingest stores for a gap.
    const points = sumByTime(hourRows).filter((p) => covered(p.hour));
    const unit = meter && !ELECTRIC.has(meter.carrier) ? (hourRows[0]?.unit ?? meter.unit) : 'kWh';
    const electric = meter === undefined || ELECTRIC.has(meter.carrier);
    const lp = loadProfile(
      points.map((p) => p.quantity),
      d.baseLoadPercentile,
    );
    const working = e.diagnosis?.workingHours ?? d.workingHours;
    const off = offHoursShare(points, working, zone);
    const tou = e.touSchedule ?? config.touSchedule;
    const touFigures = electric ? touShares(points, tou, zone) : undefined;

    return {
      enterprise: e.id,
      meter: meter?.id ?? null,
      month,
      timezone: zone,
      electricityBasis: config.electricity,
      from: isoInZone(bounds.start, zone),
      to: isoInZone(to, zone),
      complete: to === bounds.end,
      meters: hourlyMeters.map((m) => m.id),
      baseLoad: {
        baseLoad: lp ? figure(lp.base) : null,
        meanLoad: lp ? figure(lp.mean) : null,
        ratio: lp ? figure(lp.ratio) : null,
        percentile: d.baseLoadPercentile,
        unit: electric ? 'kW' : `${unit}/h`,
        hoursWithData: points.length,
        hoursInPeriod: Math.round((to - bounds.start) / 3_600_000),
        hourOfDay: hourOfDay(points, zone),
        definition: baseLoadDefinition(inputs),
      },
      offHours: {
        share: figure(off.share),
        offHoursQuantity: figure(off.offHoursQuantity),
        totalQuantity: figure(off.totalQuantity),
        unit,
        continuous: off.continuous,
        scheduleFrom: e.diagnosis?.workingHours ? 'enterprise' : 'configuration',
        schedule: working,
        definition: offHoursDefinition(inputs, off.continuous),
      },
      timeOfUse: {
        shares: touFigures?.shares ? roundRecord(touFigures.shares) : null,
        quantities: touFigures ? roundRecord(touFigures.quantities) : null,
        unit,
        scheduleFrom: e.touSchedule ? 'enterprise' : 'configuration',
        schedule: tou,
        note: electric ? null : `time-of-use periods price electricity; ${meter?.id} measures ${meter?.carrier}`,
        definition: touDefinition(inputs),
      },
      anomalies: await this.anomalies(e, { meter, unit }, bounds.start, dayTo, inputs),
      products: meter ? [] : await this.products(e, bounds.start, dayTo),
    };
  }

  private async anomalies(
    e: EnterpriseConfig,
    view: { meter: MeterConfig | undefined; unit: string },
    start: number,
    dayTo: number,
    inputs: DefinitionInputs,
  ): Promise<DiagnosisAnomalies> {
    const meter = view.meter;
    const { config } = this.deps;
    const zone = config.timezone;
    const rule = config.diagnosis.anomaly;
    const histFrom = DateTime.fromMillis(start, { zone })
      .minus({ days: 7 * rule.weeks })
      .toMillis();
    const meters = meter ? [meter] : e.meters.filter((m) => !m.submeter && m.carrier !== 'product');
    // Coverage is asked of the meters whose days are summed (the enterprise's: those counting in intensity).
    const summed = meter ? meters : meters.filter((m) => this.deps.factors.meter(m)?.intensity);
    const [rows, covered] = await Promise.all([
      this.rows(e, meters, histFrom, dayTo, '1d'),
      viewCoverage(this.deps.store, e.id, summed, histFrom, dayTo, this.decommissionOf(e.id)),
    ]);
    const byDay = this.dayValues(rows, meter !== undefined);
    // A day with an hour not covered is neither judged nor part of another day's history.
    const incomplete = new Set<number>();
    for (const dayStart of byDay.keys()) {
      const end = DateTime.fromMillis(dayStart, { zone }).plus({ days: 1 }).toMillis();
      if (!spanCovered(covered, dayStart, end)) incomplete.add(dayStart);
    }
    for (const dayStart of incomplete) byDay.delete(dayStart);
    const days: AnomalousDay[] = [];
    const notJudged: DiagnosisAnomalies['notJudged'] = [];
    const series: DiagnosisDay[] = [];
    let judgedDays = 0;
    for (let day = DateTime.fromMillis(start, { zone }); day.toMillis() < dayTo; day = day.plus({ days: 1 })) {
      const date = day.toISODate()!;
      const today = byDay.get(day.toMillis());
      const history: DayValue[] = [];
      for (let k = 1; k <= rule.weeks; k++) {
        const h = byDay.get(day.minus({ days: 7 * k }).toMillis());
        if (h) history.push(h);
      }
      if (!today) {
        notJudged.push({ date, reason: incomplete.has(day.toMillis()) ? 'incomplete-day' : 'no-data', historyDays: history.length });
        continue;
      }
      const j = judgeDay(
        today.value,
        history.map((h) => h.value),
        rule,
      );
      const historyMedian = median(history.map((h) => h.value));
      series.push({
        date,
        value: figure(today.value),
        median: historyMedian === null ? null : figure(historyMedian),
        historyDays: history.length,
        anomalous: j.judged && j.anomalous,
      });
      if (!j.judged) {
        notJudged.push({ date, reason: 'insufficient-history', historyDays: j.historyDays });
        continue;
      }
      judgedDays++;
      if (!j.anomalous || j.direction === null) continue;
      days.push({
        date,
        weekday: day.toFormat('ccc', { locale: 'en' }).toLowerCase(),
        value: figure(today.value),
        median: figure(j.median),
        deviation: figure(j.deviation),
        score: figure(j.score),
        spread: figure(j.spread),
        spreadMethod: j.spreadMethod,
        historyDays: j.historyDays,
        direction: j.direction,
        excessTce: excess(
          today.tce,
          history.map((h) => h.tce),
        ),
        excessTceOtherBasis: excess(
          today.tceOther,
          history.map((h) => h.tceOther),
        ),
      });
    }
    return {
      unit: meter ? view.unit : 'tce',
      rule: { thresholdMads: rule.thresholdMads, weeks: rule.weeks, minHistoryDays: rule.minHistoryDays },
      judgedDays,
      days,
      notJudged,
      series,
      definition: anomalyDefinition(inputs),
    };
  }

  /** Daily values: the meter's quantity, or the enterprise's energy in tce (configured basis). */
  private dayValues(rows: readonly ConsumptionRow[], meterView: boolean): Map<number, DayValue> {
    const zone = this.deps.config.timezone;
    const acc = new Map<number, { value: number; tce: number | null; tceOther: number | null }>();
    for (const r of rows) {
      const f = factorsOfYear(this.deps.factors, dataYear(r.time, zone)).carrier(r.carrier, r.unit);
      // The enterprise's energy counts as intensity does: renewable in; feedstock, product, working media made on site out.
      if (!meterView && !f?.intensity) continue;
      const entry = acc.get(r.time) ?? { value: 0, tce: meterView && !f ? null : 0, tceOther: meterView && !f ? null : 0 };
      const tce = f && r.carrier !== 'product' ? (r.quantity * f.kgcePerUnit) / 1000 : null;
      const tceOther = f && r.carrier !== 'product' ? (r.quantity * f.otherBasisKgcePerUnit) / 1000 : null;
      entry.value += meterView ? r.quantity : (tce ?? 0);
      entry.tce = tce === null || entry.tce === null ? null : entry.tce + tce;
      entry.tceOther = tceOther === null || entry.tceOther === null ? null : entry.tceOther + tceOther;
      acc.set(r.time, entry);
    }
    return acc;
  }

  /** Products with a product meter give daily unit consumption; one entered monthly only is listed with a note. */
  private async products(e: EnterpriseConfig, start: number, dayTo: number): Promise<DiagnosisProduct[]> {
    const names = [
      ...new Set([
        ...e.products.map((p) => p.product),
        ...e.meters.flatMap((m) => (m.carrier === 'product' && m.product !== undefined ? [m.product] : [])),
      ]),
    ];
    return Promise.all(names.map((product) => this.product(e, product, start, dayTo)));
  }

  /**
   * The benchmark's unit consumption per day (contract 10): the same boundary and energy sum
   * (boundaryEnergy.ts, feedstock in), quantities in the level's unit (else the first meter's).
   */
  private async product(e: EnterpriseConfig, product: string, start: number, dayTo: number): Promise<DiagnosisProduct> {
    const zone = this.deps.config.timezone;
    const counters = quantityMeters(e, product);
    const boundary = productBoundary(e, product).filter((m) => m.carrier !== 'product');
    const unit = benchmarkRowOf(this.levels, product)?.unit ?? counters[0]?.unit ?? null;
    const base = { product, unit, boundary: boundary.map((m) => m.id), definition: productDefinition() };
    if (counters.length === 0 || unit === null)
      return {
        ...base,
        days: [],
        trend: { kgcePerUnit: null, kwhAcPerUnit: null },
        note: 'no product meter: entered monthly quantities cannot be split by day',
      };
    const [energyRows, productRows] = await Promise.all([this.rows(e, boundary, start, dayTo, '1d'), this.rows(e, counters, start, dayTo, '1d')]);
    const energy = new Map<number, { kgce: number; kwh: number }>();
    for (const r of energyRows) {
      const part = boundaryEnergyOf(r, this.deps.factors, zone);
      if (!part) continue;
      const entry = energy.get(r.time) ?? { kgce: 0, kwh: 0 };
      entry.kgce += part.kgce;
      entry.kwh += part.acKwh;
      energy.set(r.time, entry);
    }
    const { byTime, skippedUnits } = quantitiesIn(productRows, unit);
    const days: ProductDay[] = [];
    const kgceTrend: { x: number; y: number }[] = [];
    const kwhTrend: { x: number; y: number }[] = [];
    for (const [time, quantity] of [...byTime].sort((a, b) => a[0] - b[0])) {
      if (quantity <= 0) continue;
      const en = energy.get(time) ?? { kgce: 0, kwh: 0 };
      const day = DateTime.fromMillis(time, { zone });
      const x = day.day - 1;
      kgceTrend.push({ x, y: en.kgce / quantity });
      kwhTrend.push({ x, y: en.kwh / quantity });
      days.push({
        date: day.toISODate()!,
        quantity: figure(quantity),
        kgceEquivalent: figure(en.kgce),
        acKwh: figure(en.kwh),
        kgcePerUnit: figure(en.kgce / quantity),
        kwhAcPerUnit: figure(en.kwh / quantity),
      });
    }
    return {
      ...base,
      days,
      trend: { kgcePerUnit: trendFigures(leastSquaresTrend(kgceTrend)), kwhAcPerUnit: trendFigures(leastSquaresTrend(kwhTrend)) },
      note: skippedUnits.length > 0 ? `product quantities in ${skippedUnits.join(', ')} do not convert to ${unit} and are left out` : null,
    };
  }

  private async rows(e: EnterpriseConfig, meters: readonly MeterConfig[], from: number, to: number, every: '1h' | '1d'): Promise<ConsumptionRow[]> {
    if (meters.length === 0 || to <= from) return [];
    return this.deps.store.consumption({
      enterprises: [e.id],
      from,
      to,
      every,
      zone: this.deps.config.timezone,
      meters: meters.map((m) => ({ enterprise: e.id, meter: m.id })),
    });
  }
}

/** One point per bucket: the store answers per carrier (grid and renewable electricity are two rows). */
function sumByTime(rows: readonly ConsumptionRow[]): HourPoint[] {
  const byTime = new Map<number, number>();
  for (const r of rows) byTime.set(r.time, (byTime.get(r.time) ?? 0) + r.quantity);
  return [...byTime].sort((a, b) => a[0] - b[0]).map(([hour, quantity]) => ({ hour, quantity }));
}

/** Mean of the hourly powers by local clock hour; null for an hour of the day with no data. */
function hourOfDay(points: readonly HourPoint[], zone: string): (number | null)[] {
  const sum = new Array<number>(24).fill(0);
  const count = new Array<number>(24).fill(0);
  for (const p of points) {
    const h = DateTime.fromMillis(p.hour, { zone }).hour;
    sum[h] = sum[h]! + p.quantity;
    count[h] = count[h]! + 1;
  }
  return sum.map((s, h) => (count[h]! > 0 ? figure(s / count[h]!) : null));
}

function roundRecord<K extends string>(r: Readonly<Record<K, number>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(r) as K[]) out[k] = figure(r[k]);
  return out;
}

/** The day's tce minus the history's median tce; null when a day or the history has no tce. */
function excess(day: number | null, history: readonly (number | null)[]): number | null {
  const xs = history.filter((h): h is number => h !== null);
  if (day === null || xs.length !== history.length) return null;
  const m = median(xs);
  return m === null ? null : figure(day - m);
}

function trendFigures(t: Trend | null): TrendFigures | null {
  return t ? { slopePerDay: figure(t.slopePerDay), relativeChange: figure(t.relativeChange), days: t.days } : null;
}
