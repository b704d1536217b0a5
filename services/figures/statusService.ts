/**
 * Dual-control, intensity and tiered-tariff status of enterprises at an instant (contract 4 and 5),
 * from the store, for many enterprises with two queries: the year's consumption by carrier, and
 * tariff-scope electricity and product, each up to the end of the day of `at`, which whole days'
 * rollups answer (and the store's cache, for the days that did not change). What meters recorded
 * after `at` on that day is then taken off, evaluated from their readings.
 */
import type { Config, EnterpriseConfig } from '../../config/schema';
import type { MeterKey, TimeSeriesStore } from '../store/timeSeriesStore';
import { tceOf, type FactorTable } from '../energy/factors';
import type { ParameterRow } from '../energy/parameterRow';
import { quotaStatus, yearFraction, type QuotaStatus } from '../energy/quota';
import { tariffFigures, type Sums, type TariffStatusAt } from './tariffFigures';
import { bucketStart, isoInZone, nextBucket, yearBounds } from '../energy/time';
import { submeterKeys, tariffElectricityKeys } from '../energy/meterScope';
import { MeterRegistry } from '../energy/meterRegistry';
import { consumptionAfter, type AfterAt } from './consumptionAfter';
import { DateTime } from 'luxon';
import { enteredCarrierRows, monthOf, monthSpan, withEnteredProducts, type MonthlyRecordSource, type ProductRow } from './enteredFigures';
import { intensityOverCompleteMonths, type IntensityAt } from './intensityFigures';
import { factorsOfYear } from './factorYear';
import { ParametersUsed } from './parametersUsed';
import { figure } from './precision';
import { carbonFiguresAt, type CarbonStatusAt, type TaggedProductRow } from './carbonFigures';
import type { Co2ByPart } from '../energy/carbon';
import type { MonthlyRecord } from '../energy/monthlyStatistics';

export type { TariffStatusAt } from './tariffFigures';

export interface EnterpriseStatus {
  readonly enterprise: string;
  readonly at: string;
  readonly timezone: string;
  readonly electricityBasis: 'equivalent' | 'equal';
  readonly quota: (QuotaStatus & { readonly periodFrom: string; readonly periodTo: string }) | null;
  /** Over the complete months of t's year with an output value entered, named in `months` (contract 4). */
  readonly intensity: IntensityAt | null;
  readonly tariff: TariffStatusAt | null;
  /** Year-to-date tce by carrier, with what counts where; entered carriers count from their month's end. */
  readonly ytdByCarrier: { carrier: string; unit: string; quantity: number; tce: number; dualControl: boolean }[];
  /** Every parameter row the figures used, with its year and source (contract 8.2); always set here, optional for statuses built by hand. */
  readonly parameters?: ParameterRow[];
  /** CO2 year to date, carbon status and intensity (contract 9); null without a quota entry for t's year; always set here, optional for statuses built by hand. */
  readonly carbon?: CarbonStatusAt | null;
}

/** A status and, for the district's carbon intensity, the CO2 of chosen months and the year's monthly records. */
export interface StatusDetail {
  readonly status: EnterpriseStatus;
  /** CO2 of months of the status's year (YYYY-MM) as one period, from the status's own inputs. */
  readonly co2Over: (months: readonly string[]) => Co2ByPart;
  /** The enterprise's monthly statistics of the status's year up to its month (current versions). */
  readonly records: readonly MonthlyRecord[];
}

export class StatusService {
  private readonly submeters: MeterKey[];
  /** Tariff-scope electricity meters (grid and renewable). */
  private readonly tariffMeters: MeterKey[];
  /**
   * Product meters by the product they name (undefined: none named), queried apart since the store
   * sums by carrier: an entered product replaces only its own meters' quantity (contract 8.3).
   */
  private readonly productMeters: Map<string | undefined, MeterKey[]>;
  private readonly meters: MeterRegistry;

  /**
   * `outputs`: the monthly statistics (output values, entered carriers and products).
   * `meters`: the composition root's registry, shared with ingest; built from config and factors when not given.
   */
  constructor(
    private readonly deps: {
      store: TimeSeriesStore;
      outputs: MonthlyRecordSource;
      config: Config;
      factors: FactorTable;
      meters?: MeterRegistry;
    },
  ) {
    this.submeters = submeterKeys(deps.config);
    this.tariffMeters = tariffElectricityKeys(deps.config);
    this.productMeters = new Map();
    for (const e of deps.config.enterprises)
      for (const m of e.meters)
        // A product sub-meter (a line's share of a product metered whole) is out of every total.
        if (m.carrier === 'product' && !m.submeter)
          this.productMeters.set(m.product, [...(this.productMeters.get(m.product) ?? []), { enterprise: e.id, meter: m.id }]);
    this.meters = deps.meters ?? new MeterRegistry(deps.config, deps.factors);
  }

  /**
   * Status at `at`. With `endOf: true`, `at` is the end of a period (a monthly report's t, contract
   * 4): the year and month are those just before `at`, so the end of December counts for December's
   * year with f = 1, not for 1 January of the next.
   */
  async statusAt(enterprises: readonly EnterpriseConfig[], at: number, options: { endOf?: boolean } = {}): Promise<Map<string, EnterpriseStatus>> {
    const details = await this.detailAt(enterprises, at, options);
    return new Map([...details].map(([id, d]) => [id, d.status]));
  }

  /** The status with what the district's carbon figures need besides (contract 9, "District"). */
  async detailAt(enterprises: readonly EnterpriseConfig[], at: number, options: { endOf?: boolean } = {}): Promise<Map<string, StatusDetail>> {
    const { config, store } = this.deps;
    const zone = config.timezone;
    const ids = enterprises.map((e) => e.id);
    const ref = options.endOf ? at - 1 : at;
    const { start: yearStart, end: yearEnd, year } = yearBounds(ref, zone);
    const fraction = options.endOf ? Math.min(1, (at - yearStart) / (yearEnd - yearStart)) : yearFraction(at, zone);
    const monthStart = DateTime.fromMillis(ref, { zone }).startOf('month').toMillis();
    // Up to the end of the day of `at` (or `at` itself on a day boundary): whole days only, so the
    // rollups answer it. Its buckets hold what was consumed up to each meter's last reading, so
    // they are exact as they stand unless a meter already reported beyond `at`; for those meters
    // the part after `at` is taken off, evaluated from the readings by the contract's definition.
    const dayStart = bucketStart(at, '1d', zone);
    const end = dayStart === at ? at : nextBucket(dayStart, '1d', zone);
    const asked = new Set(ids);
    const tariffQuery = async (meters: readonly MeterKey[], product?: string): Promise<ProductRow[]> => {
      const own = meters.filter((k) => asked.has(k.enterprise));
      if (own.length === 0) return [];
      const rows = await store.consumption({ enterprises: ids, from: yearStart, to: end, every: '1mo', zone, meters: own });
      return product === undefined ? rows : rows.map((r) => ({ ...r, product }));
    };
    const [months, tariffMonths, after] = await Promise.all([
      store.consumption({ enterprises: ids, from: yearStart, to: end, every: '1mo', zone, excludeMeters: this.submeters }),
      Promise.all([tariffQuery(this.tariffMeters), ...[...this.productMeters].map(([product, meters]) => tariffQuery(meters, product))]).then((r) =>
        r.flat(),
      ),
      at < end ? consumptionAfter({ store, meters: this.meters }, enterprises, at, end) : Promise.resolve([]),
    ]);
    const minus = (rows: readonly AfterAt[]) =>
      rows.map((r) => ({ enterprise: r.enterprise, carrier: r.carrier, unit: r.unit, time: monthStart, quantity: -r.quantity }));
    // Monthly statistics of t's year: output values for intensity; entered carriers and products
    // count for instants at or after their month's end (contract 8.3), never spread over its days.
    const records = await this.deps.outputs.records(ids, `${year}-01`, monthOf(ref, zone));
    const ended = records.filter((r) => monthSpan(r.month, zone).end <= at);
    const factors = factorsOfYear(this.deps.factors, year);
    const ytdRows = [...months, ...enteredCarrierRows(ended, zone, factors), ...minus(after.filter((r) => !r.submeter))];
    // What product meters recorded after `at` is taken off untagged: it falls in the month of `at`,
    // which has not ended, so no entered product replaces it.
    const tariffRows: ProductRow[] = [...tariffMonths, ...minus(after.filter((r) => r.tariff && !(r.carrier === 'product' && r.submeter)))];
    // Process CO2 takes the same metered product rows, tagged by product, with their part after `at`.
    const productRowsOf = byEnterprise<TaggedProductRow>([
      ...tariffMonths.filter((r) => r.carrier === 'product'),
      ...minus(after.filter((r) => r.carrier === 'product' && !r.submeter)),
    ]);

    const ytdOf = byEnterprise(ytdRows);
    const tariffRowsOf = byEnterprise(tariffRows);
    const recordsOf = byEnterprise(records);
    const out = new Map<string, StatusDetail>();
    for (const e of enterprises) {
      const used = new ParametersUsed();
      const byCarrier = new Map<string, { carrier: string; unit: string; quantity: number; tce: number; dualControl: boolean }>();
      const tceByMonth = new Map<string, number>();
      const ytd: Required<Sums> = { dualControlTce: 0, dualControlTceEquivalent: 0, intensityTce: 0, electricityKwh: 0, renewableKwh: 0 };
      const month: Required<Sums> = { dualControlTce: 0, dualControlTceEquivalent: 0, intensityTce: 0, electricityKwh: 0, renewableKwh: 0 };
      for (const r of ytdOf.get(e.id) ?? []) {
        const f = factors.carrier(r.carrier, r.unit);
        if (!f || r.carrier === 'product') continue;
        used.addCarrier(f);
        const tce = tceOf(r.quantity, f);
        const k = `${r.carrier}/${r.unit}`;
        const c = byCarrier.get(k) ?? { carrier: r.carrier, unit: r.unit, quantity: 0, tce: 0, dualControl: f.dualControl };
        c.quantity += r.quantity;
        c.tce += tce;
        byCarrier.set(k, c);
        if (f.intensity) {
          const m = monthOf(r.time, zone);
          tceByMonth.set(m, (tceByMonth.get(m) ?? 0) + tce);
        }
        for (const s of r.time >= monthStart ? [ytd, month] : [ytd]) {
          if (f.dualControl) s.dualControlTce += tce;
          if (f.dualControl) s.dualControlTceEquivalent += tceOf(r.quantity, { kgcePerUnit: f.equivalentKgcePerUnit });
          if (f.intensity) s.intensityTce += tce;
          if (r.carrier === 'electricity') s.electricityKwh += r.quantity;
          if (r.carrier === 'renewable_electricity') s.renewableKwh += r.quantity;
        }
      }
      const period = { periodFrom: isoInZone(yearStart, zone), periodTo: isoInZone(at, zone) };
      const quotaConf = e.quotas.find((q) => q.year === year);
      const ytdTce = figure(ytd.dualControlTce);
      const quotaAt = quotaConf ? quotaStatus({ year, totalTce: quotaConf.totalTce, ytdTce, fraction, thresholds: config.rules.quota, zone }) : null;
      const quota = quotaAt ? { ...quotaAt, forecastTce: figure(quotaAt.forecastTce), overrunTce: figure(quotaAt.overrunTce), ...period } : null;
      const intensity =
        quotaConf?.intensityLimit !== undefined
          ? intensityOverCompleteMonths({
              tceByMonth,
              records: recordsOf.get(e.id) ?? [],
              at,
              zone,
              limit: quotaConf.intensityLimit,
              thresholds: config.rules.intensity,
            })
          : null;
      const tariffConf = e.tariff === undefined ? undefined : config.tariffs.find((t) => t.id === e.tariff);
      const tariff = tariffConf
        ? roundTariff(
            tariffFigures(
              e,
              tariffConf,
              withEnteredProducts(e, tariffRowsOf.get(e.id) ?? [], ended, at, zone),
              { ytd, month },
              { yearStart, monthStart, at, zone },
            ),
          )
        : null;
      if (tariff) used.add([tariff.parameter]);
      const {
        carbon,
        parameters: carbonRows,
        co2Over,
      } = carbonFiguresAt({
        enterprise: e,
        year,
        fraction,
        at,
        zone,
        rows: ytdOf.get(e.id) ?? [],
        productRows: productRowsOf.get(e.id) ?? [],
        records: recordsOf.get(e.id) ?? [],
        factors: this.deps.factors,
        rules: config.rules.carbon,
      });
      used.add(carbonRows);
      const status: EnterpriseStatus = {
        enterprise: e.id,
        at: isoInZone(at, zone),
        timezone: zone,
        electricityBasis: this.deps.factors.electricityBasis,
        quota,
        intensity,
        tariff,
        ytdByCarrier: [...byCarrier.values()].map((c) => ({ ...c, quantity: figure(c.quantity), tce: figure(c.tce) })),
        parameters: used.list(),
        carbon,
      };
      out.set(e.id, { status, co2Over, records: recordsOf.get(e.id) ?? [] });
    }
    return out;
  }
}

/** Grouped once: filtering every row list per enterprise was quadratic in a 300-enterprise cycle. */
function byEnterprise<T extends { enterprise: string }>(rows: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(r.enterprise);
    if (list) list.push(r);
    else m.set(r.enterprise, [r]);
  }
  return m;
}

/** The tariff's sums by the figure rule (docs/ledger/figures.md); markups and ratios are already exact. */
function roundTariff(t: TariffStatusAt): TariffStatusAt {
  return {
    ...t,
    electricityKwh: figure(t.electricityKwh),
    productT: figure(t.productT),
    unitConsumption: figure(t.unitConsumption),
    surchargeYuan: figure(t.surchargeYuan),
  };
}
