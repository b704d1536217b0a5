/**
 * Conversion of carrier quantities into tonnes of standard coal (tce) and kg CO2 (contract 4),
 * with the coefficient, its source and the dated row it came from (contract 8.2) kept beside every
 * figure so that it can be traced. Pure: the coefficient table and the configuration come in as data.
 */
import type { Config, MeterConfig } from '../../config/schema';
import { baseCarrier, overrideKey, type CoefficientEntry, type CoefficientTable } from '../../config/coefficients';
import { valueFor, type DatedValue, type ResolvedValue } from '../../config/datedParameter';
import { canonicalUnit, conversionFactor, energyUnitOfPower } from '../../config/units';
import type { ParameterRow } from './parameterRow';

export type ElectricityBasis = 'equivalent' | 'equal';

export interface CarrierFactors {
  readonly carrier: string;
  /** The unit quantities of this carrier are kept and reported in. */
  readonly unit: string;
  /** kgce per unit on the configured basis; 0 for product meters. */
  readonly kgcePerUnit: number;
  readonly kgceSource: string;
  /** kgce per unit on the other electricity basis (reports carry both, contract 4); equals kgcePerUnit for non-electricity. */
  readonly otherBasisKgcePerUnit: number;
  /** kgce per unit on the equivalent basis (当量值) whatever the configured one: tariff kgce_per_t and benchmarks use it (contract 4). */
  readonly equivalentKgcePerUnit: number;
  readonly kgCo2PerUnit: number;
  readonly kgCo2Source: string;
  /** Counts toward the dual-control total (excludes renewable electricity, feedstock, product and working media made on site). */
  readonly dualControl: boolean;
  /** Counts toward intensity (renewable electricity counts since 2022; feedstock and working media made on site do not). */
  readonly intensity: boolean;
  /** The row behind kgcePerUnit (contract 8.2: figures name the rows they used). */
  readonly kgceRow: ParameterRow;
  readonly kgCo2Row: ParameterRow;
  /** Electricity only: the row behind otherBasisKgcePerUnit. */
  readonly otherBasisKgceRow?: ParameterRow;
}

export interface MeterFactors extends CarrierFactors {
  /** Multiply a meter-unit quantity by this to get the carrier unit. */
  readonly toCarrierUnit: number;
}

/** Factors in force for one data year (or the latest rows). */
export interface FactorView {
  /** The data year whose rows are used; Infinity for the latest rows. */
  readonly year: number;
  readonly electricityBasis: ElectricityBasis;
  /** Factors for a carrier in a unit that converts to the table's unit; undefined if none does. */
  carrier(carrier: string, unit: string): CarrierFactors | undefined;
  /** Factors of a meter, with the scale from the meter's quantity unit (kWh for a kW meter) to the carrier unit. */
  meter(meter: Pick<MeterConfig, 'carrier' | 'unit' | 'kind'>): MeterFactors | undefined;
}

const ELECTRIC = new Set(['electricity', 'renewable_electricity']);

function row(key: string, unit: string, r: ResolvedValue, fallbackSource: string): ParameterRow {
  return { key, value: r.value, unit, ...(r.year !== undefined && { year: r.year }), source: r.source ?? fallbackSource };
}

function productFactors(carrier: string, unit: string): CarrierFactors {
  const u = canonicalUnit(unit);
  const zero = (key: string, source: string): ParameterRow => ({ key: `${key}/product/${u}`, value: 0, unit: `${key}/${u}`, source });
  return {
    carrier,
    unit: u,
    kgcePerUnit: 0,
    kgceSource: 'physical output, no energy',
    otherBasisKgcePerUnit: 0,
    equivalentKgcePerUnit: 0,
    kgCo2PerUnit: 0,
    kgCo2Source: 'physical output',
    dualControl: false,
    intensity: false,
    kgceRow: zero('kgce', 'physical output, no energy'),
    kgCo2Row: zero('kgCO2', 'physical output'),
  };
}

class YearFactors implements FactorView {
  readonly electricityBasis: ElectricityBasis;

  constructor(
    private readonly config: Config,
    private readonly table: CoefficientTable,
    readonly year: number,
  ) {
    this.electricityBasis = config.electricity;
  }

  carrier(carrier: string, unit: string): CarrierFactors | undefined {
    if (carrier === 'product') return productFactors(carrier, unit);
    const feedstock = carrier.startsWith('feedstock_');
    const base = baseCarrier(carrier);
    const entry = this.table.carriers.find((e) => e.carrier === base && conversionFactor(unit, e.unit) !== undefined);
    if (!entry) return undefined;
    const u = entry.unit;
    const kgce = ELECTRIC.has(base) ? this.electricKgce(carrier) : this.tableKgce(carrier, entry);
    const co2 = this.co2(carrier, entry, feedstock);
    const excluded = entry.producedFrom !== undefined ? `; made on site from ${entry.producedFrom}, out of the dual-control total and intensity` : '';
    return {
      carrier,
      unit: u,
      kgcePerUnit: kgce.row.value,
      kgceSource: `${kgce.row.source}${feedstock ? '; feedstock, excluded from the dual-control total' : ''}${excluded}`,
      otherBasisKgcePerUnit: kgce.other?.value ?? kgce.row.value,
      equivalentKgcePerUnit: kgce.equivalent,
      kgCo2PerUnit: co2.value,
      kgCo2Source: co2.source,
      dualControl: !feedstock && base !== 'renewable_electricity' && entry.producedFrom === undefined,
      intensity: !feedstock && entry.producedFrom === undefined,
      kgceRow: kgce.row,
      kgCo2Row: co2,
      ...(kgce.other && { otherBasisKgceRow: kgce.other }),
    };
  }

  meter(meter: Pick<MeterConfig, 'carrier' | 'unit' | 'kind'>): MeterFactors | undefined {
    const quantityUnit = meter.kind === 'power' ? energyUnitOfPower(meter.unit) : meter.unit;
    if (quantityUnit === undefined) return undefined;
    const factors = this.carrier(meter.carrier, quantityUnit);
    if (!factors) return undefined;
    const toCarrierUnit = conversionFactor(quantityUnit, factors.unit);
    if (toCarrierUnit === undefined) return undefined;
    return { ...factors, toCarrierUnit };
  }

  /** A configured override (`coefficients:` / `emissionFactors:`) for this carrier and table unit, resolved for the year. */
  private override(section: 'coefficients' | 'emissionFactors', carrier: string, unit: string): { key: string; value: ResolvedValue } | undefined {
    const overrides: Readonly<Record<string, DatedValue>> = this.config[section];
    const key = overrideKey(Object.keys(overrides), carrier, unit, this.table);
    const param = key === undefined ? undefined : overrides[key];
    return key === undefined || param === undefined ? undefined : { key, value: valueFor(param, this.year) };
  }

  private tableKgce(carrier: string, entry: CoefficientEntry): { row: ParameterRow; equivalent: number; other?: ParameterRow } {
    const key = `kgce/${carrier}/${entry.unit}`;
    const unit = `kgce/${entry.unit}`;
    const o = this.override('coefficients', carrier, entry.unit);
    const r = o
      ? row(key, unit, o.value, `configured override (coefficients.${o.key})`)
      : row(key, unit, valueFor(entry.kgce, this.year), entry.kgceSource);
    return { row: r, equivalent: r.value };
  }

  /**
   * Electricity: 当量值 from the table, 等价值 from electricityEqualKgce or the table, each by data
   * year; `coefficients.electricity` replaces the configured basis's value (the other stays).
   */
  private electricKgce(carrier: string): { row: ParameterRow; equivalent: number; other: ParameterRow } {
    const t = this.table.electricity;
    const key = (basis: ElectricityBasis) => `kgce/${carrier}/kWh/${basis}`;
    const equivalent = row(key('equivalent'), 'kgce/kWh', { value: t.equivalentKgcePerKwh }, t.equivalentSource);
    const configured = this.config.electricityEqualKgce;
    const equal =
      configured !== undefined
        ? row(key('equal'), 'kgce/kWh', valueFor(configured, this.year), 'electricityEqualKgce (configured 等价值)')
        : row(key('equal'), 'kgce/kWh', valueFor(t.equalKgcePerKwh, this.year), t.equalSource);
    const [basisRow, other] = this.electricityBasis === 'equal' ? [equal, equivalent] : [equivalent, equal];
    const o = this.override('coefficients', carrier, 'kWh');
    const own = o ? row(basisRow.key, 'kgce/kWh', o.value, `configured override (coefficients.${o.key})`) : basisRow;
    return { row: own, equivalent: this.electricityBasis === 'equal' ? other.value : own.value, other };
  }

  private co2(carrier: string, entry: CoefficientEntry, feedstock: boolean): ParameterRow {
    const key = `kgCO2/${carrier}/${entry.unit}`;
    const unit = `kgCO2/${entry.unit}`;
    const o = this.override('emissionFactors', carrier, entry.unit);
    if (o) return row(key, unit, o.value, `configured override (emissionFactors.${o.key})`);
    // Feedstock carbon mostly ends up in the product, not the air (domain 2.5): no combustion factor.
    if (feedstock) return { key, value: 0, unit, source: 'feedstock use, not combustion' };
    return row(key, unit, valueFor(entry.kgCo2, this.year), entry.kgCo2Source);
  }
}

/**
 * The factor table. `forYear(y)` gives the rows in force for data year y (contract 8.2);
 * `carrier()` / `meter()` without a year use the latest rows (figures that have no period).
 */
export class FactorTable implements FactorView {
  readonly year = Infinity;
  private readonly views = new Map<number, YearFactors>();
  private readonly latest: YearFactors;

  constructor(
    private readonly config: Config,
    private readonly table: CoefficientTable,
  ) {
    this.latest = new YearFactors(config, table, Infinity);
  }

  get electricityBasis(): ElectricityBasis {
    return this.config.electricity;
  }

  /** The factors of data year `year` (the site-zone year of a period's start). */
  forYear(year: number): FactorView {
    let view = this.views.get(year);
    if (!view) {
      view = new YearFactors(this.config, this.table, year);
      this.views.set(year, view);
    }
    return view;
  }

  carrier(carrier: string, unit: string): CarrierFactors | undefined {
    return this.latest.carrier(carrier, unit);
  }

  meter(meter: Pick<MeterConfig, 'carrier' | 'unit' | 'kind'>): MeterFactors | undefined {
    return this.latest.meter(meter);
  }
}

export function tceOf(quantity: number, factors: Pick<CarrierFactors, 'kgcePerUnit'>): number {
  return (quantity * factors.kgcePerUnit) / 1000;
}

export function co2KgOf(quantity: number, factors: Pick<CarrierFactors, 'kgCo2PerUnit'>): number {
  return quantity * factors.kgCo2PerUnit;
}
