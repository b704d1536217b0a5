/**
 * Conversion of carrier quantities into tonnes of standard coal (tce) and kg CO2 (contract 4),
 * with the coefficient and its source kept beside every figure so that it can be traced.
 * Pure: the coefficient table and the configuration come in as data.
 */
import type { Config, MeterConfig } from '../../config/schema';
import type { CoefficientTable } from '../../config/coefficients';
import { canonicalUnit, conversionFactor, energyUnitOfPower } from '../../config/units';

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
  readonly kgCo2PerUnit: number;
  readonly kgCo2Source: string;
  /** Counts toward the dual-control total (excludes renewable electricity, feedstock and product). */
  readonly dualControl: boolean;
  /** Counts toward intensity (renewable electricity counts since 2022, feedstock does not). */
  readonly intensity: boolean;
}

export interface MeterFactors extends CarrierFactors {
  /** Multiply a meter-unit quantity by this to get the carrier unit. */
  readonly toCarrierUnit: number;
}

const ELECTRIC = new Set(['electricity', 'renewable_electricity']);

export class FactorTable {
  private readonly basis: ElectricityBasis;
  private readonly equalKgce: number;

  constructor(
    private readonly config: Config,
    private readonly table: CoefficientTable,
  ) {
    this.basis = config.electricity;
    this.equalKgce = config.electricityEqualKgce ?? table.electricity.equalKgcePerKwh;
  }

  get electricityBasis(): ElectricityBasis {
    return this.basis;
  }

  /** Factors for a carrier in a unit that converts to the table's unit; undefined if none does. */
  carrier(carrier: string, unit: string): CarrierFactors | undefined {
    if (carrier === 'product') {
      return {
        carrier,
        unit: canonicalUnit(unit),
        kgcePerUnit: 0,
        kgceSource: 'physical output, no energy',
        otherBasisKgcePerUnit: 0,
        kgCo2PerUnit: 0,
        kgCo2Source: 'physical output',
        dualControl: false,
        intensity: false,
      };
    }
    const feedstock = carrier.startsWith('feedstock_');
    const base = feedstock ? carrier.slice('feedstock_'.length) : carrier;
    const entry = this.table.carriers.find((e) => e.carrier === base && conversionFactor(unit, e.unit) !== undefined);
    if (!entry) return undefined;
    let kgce = entry.kgce;
    let kgceSource = entry.kgceSource;
    let other = entry.kgce;
    if (ELECTRIC.has(base)) {
      const equivalent = this.table.electricity.equivalentKgcePerKwh;
      const equalSource =
        this.config.electricityEqualKgce !== undefined ? 'electricityEqualKgce (configured 等价值)' : this.table.electricity.equalSource;
      if (this.basis === 'equal') {
        kgce = this.equalKgce;
        kgceSource = equalSource;
        other = equivalent;
      } else {
        kgce = equivalent;
        kgceSource = this.table.electricity.equivalentSource;
        other = this.equalKgce;
      }
    }
    const override = this.config.coefficients[carrier];
    if (override !== undefined) {
      kgce = override;
      kgceSource = `configured override (coefficients.${carrier})`;
      if (!ELECTRIC.has(base)) other = override;
    }
    const co2Override = this.config.emissionFactors[carrier];
    return {
      carrier,
      unit: entry.unit,
      kgcePerUnit: kgce,
      kgceSource: feedstock ? `${kgceSource}; feedstock, excluded from the dual-control total` : kgceSource,
      otherBasisKgcePerUnit: other,
      // Feedstock carbon mostly ends up in the product, not the air (domain 2.5): no combustion factor.
      kgCo2PerUnit: co2Override ?? (feedstock ? 0 : entry.kgCo2),
      kgCo2Source:
        co2Override !== undefined
          ? `configured override (emissionFactors.${carrier})`
          : feedstock
            ? 'feedstock use, not combustion'
            : entry.kgCo2Source,
      dualControl: !feedstock && base !== 'renewable_electricity',
      intensity: !feedstock,
    };
  }

  /** Factors of a meter, with the scale from the meter's quantity unit (kWh for a kW meter) to the carrier unit. */
  meter(meter: Pick<MeterConfig, 'carrier' | 'unit' | 'kind'>): MeterFactors | undefined {
    const quantityUnit = meter.kind === 'power' ? energyUnitOfPower(meter.unit) : meter.unit;
    if (quantityUnit === undefined) return undefined;
    const factors = this.carrier(meter.carrier, quantityUnit);
    if (!factors) return undefined;
    const toCarrierUnit = conversionFactor(quantityUnit, factors.unit);
    if (toCarrierUnit === undefined) return undefined;
    return { ...factors, toCarrierUnit };
  }
}

export function tceOf(quantity: number, factors: Pick<CarrierFactors, 'kgcePerUnit'>): number {
  return (quantity * factors.kgcePerUnit) / 1000;
}

export function co2KgOf(quantity: number, factors: Pick<CarrierFactors, 'kgCo2PerUnit'>): number {
  return quantity * factors.kgCo2PerUnit;
}
