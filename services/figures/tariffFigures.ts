/**
 * The tiered-tariff figures of an enterprise over its basis period (contract 4 "Tiered tariff"):
 * tariff-scope electricity (grid and on-site renewable) and product from the store's rows, the
 * period's sums from the status service, the threshold or limit of the period's data year
 * (contract 8.2), and the pure tariff arithmetic (services/energy/tariff.ts).
 */
import type { EnterpriseConfig, TariffConfig } from '../../config/schema';
import type { ConsumptionRow } from '../store/timeSeriesStore';
import { tariffParameters, tariffStatus, type TariffStatus } from '../energy/tariff';
import type { ParameterRow } from '../energy/parameterRow';
import { isoInZone, yearBounds } from '../energy/time';
import { conversionFactor } from '../../config/units';

export interface TariffStatusAt extends TariffStatus {
  readonly tariff: string;
  readonly basis: 'ytd' | 'month';
  readonly periodFrom: string;
  readonly periodTo: string;
  /** Tariff-scope grid electricity (kWh): the surcharge base. */
  readonly electricityKwh: number;
  /** Tariff-scope on-site renewable electricity (kWh); in the unit consumption when the scheme's countRenewable is true. */
  readonly renewableKwh: number;
  readonly productT: number;
  /** The data year of the basis period (site-zone year of its start) and the threshold or limit row used (contract 8.2). */
  readonly dataYear: number;
  readonly parameter: ParameterRow;
}

export interface Sums {
  dualControlTce: number;
  /**
   * Dual-control tce on the equivalent basis (当量值) whatever the configured electricity basis:
   * the kgce_per_t metric's numerator (contract 4). When absent, dualControlTce is used, which is
   * the same figure only with `electricity: equivalent`.
   */
  dualControlTceEquivalent?: number;
  intensityTce: number;
  electricityKwh: number;
  renewableKwh: number;
}

export function tariffFigures(
  e: EnterpriseConfig,
  t: TariffConfig,
  rows: readonly ConsumptionRow[],
  sums: { ytd: Sums; month: Sums },
  time: { yearStart: number; monthStart: number; at: number; zone: string },
): TariffStatusAt {
  const zone = time.zone;
  const from = t.basis === 'month' ? time.monthStart : time.yearStart;
  let electricityKwh = 0;
  let renewableKwh = 0;
  let productT = 0;
  for (const r of rows) {
    if (r.enterprise !== e.id || r.time < from) continue;
    if (r.carrier === 'electricity') electricityKwh += r.quantity;
    else if (r.carrier === 'renewable_electricity') renewableKwh += r.quantity;
    else if (r.carrier === 'product') productT += r.quantity * (conversionFactor(r.unit, 't') ?? 1);
  }
  const dataYear = yearBounds(from, zone).year;
  const params = tariffParameters(t, dataYear);
  const s = t.basis === 'month' ? sums.month : sums.ytd;
  const totalElectric = s.electricityKwh + s.renewableKwh;
  const common = {
    electricityKwh,
    consumptionKwh: t.countRenewable ? electricityKwh + renewableKwh : electricityKwh,
    productT,
    ...(totalElectric > 0 && { renewableShare: s.renewableKwh / totalElectric }),
  };
  const status =
    params.scheme === 'step'
      ? tariffStatus({ ...common, scheme: 'step', tariff: params.tariff })
      : tariffStatus({
          ...common,
          scheme: 'bands',
          tariff: params.tariff,
          metric: params.metric,
          allEnergyKgce: (s.dualControlTceEquivalent ?? s.dualControlTce) * 1000,
        });
  return {
    ...status,
    tariff: t.id,
    basis: t.basis,
    periodFrom: isoInZone(from, zone),
    periodTo: isoInZone(time.at, zone),
    electricityKwh,
    renewableKwh,
    productT,
    dataYear,
    parameter: params.row,
  };
}
