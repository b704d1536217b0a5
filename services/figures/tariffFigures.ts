/**
 * The tiered-tariff figures of an enterprise over its basis period (contract 4 "Tiered tariff"):
 * tariff-scope electricity and product from the store's rows, the period's sums from the status
 * service, and the pure tariff arithmetic (services/energy/tariff.ts).
 */
import type { EnterpriseConfig, TariffConfig } from '../../config/schema';
import type { ConsumptionRow } from '../store/timeSeriesStore';
import { tariffStatus, type TariffStatus } from '../energy/tariff';
import { isoInZone } from '../energy/time';
import { conversionFactor } from '../../config/units';

export interface TariffStatusAt extends TariffStatus {
  readonly tariff: string;
  readonly basis: 'ytd' | 'month';
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly electricityKwh: number;
  readonly productT: number;
}

export interface Sums {
  dualControlTce: number;
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
  let productT = 0;
  for (const r of rows) {
    if (r.enterprise !== e.id || r.time < from) continue;
    if (r.carrier === 'electricity') electricityKwh += r.quantity;
    else if (r.carrier === 'product') productT += r.quantity * (conversionFactor(r.unit, 't') ?? 1);
  }
  const s = t.basis === 'month' ? sums.month : sums.ytd;
  const totalElectric = s.electricityKwh + s.renewableKwh;
  const common = { electricityKwh, productT, ...(totalElectric > 0 && { renewableShare: s.renewableKwh / totalElectric }) };
  const status =
    t.scheme === 'step'
      ? tariffStatus({ ...common, scheme: 'step', tariff: t })
      : tariffStatus({ ...common, scheme: 'bands', tariff: t, metric: t.metric, allEnergyKgce: s.dualControlTce * 1000 });
  return {
    ...status,
    tariff: t.id,
    basis: t.basis,
    periodFrom: isoInZone(from, zone),
    periodTo: isoInZone(time.at, zone),
    electricityKwh,
    productT,
  };
}
