/** Which meters count where (contract 3): one definition for every figure that needs it. */
import type { Config, MeterConfig } from '../../config/schema';

export interface MeterRef {
  readonly enterprise: string;
  readonly meter: string;
}

/**
 * Tariff scope: every electricity and on-site renewable_electricity meter unless `tariffScope`
 * says otherwise; sub-meters are out by default. Renewable meters are in scope because the unit
 * consumption counts all AC electricity (contract 4, 1239号); the surcharge uses grid kWh only.
 */
export function isTariffScope(m: Pick<MeterConfig, 'carrier' | 'tariffScope' | 'submeter'>): boolean {
  return (m.carrier === 'electricity' || m.carrier === 'renewable_electricity') && (m.tariffScope ?? !m.submeter);
}

function keysWhere(config: Config, keep: (m: MeterConfig) => boolean): MeterRef[] {
  return config.enterprises.flatMap((e) => e.meters.filter(keep).map((m) => ({ enterprise: e.id, meter: m.id })));
}

/** Sub-meters: counted inside another meter, so left out of every total. */
export function submeterKeys(config: Config): MeterRef[] {
  return keysWhere(config, (m) => m.submeter);
}

/** Tariff-scope electricity meters (grid and renewable): the unit consumption's numerator. */
export function tariffElectricityKeys(config: Config): MeterRef[] {
  return keysWhere(config, isTariffScope);
}

/** The meters a tariff reads: tariff-scope electricity (grid and renewable) and the product meters. */
export function tariffMeterKeys(config: Config): MeterRef[] {
  return keysWhere(config, (m) => m.carrier === 'product' || isTariffScope(m));
}
