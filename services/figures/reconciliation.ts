/**
 * Metered vs entered figures of one enterprise-month (contract 8.3, reconciliation): for every metered
 * carrier and product, the month's sum of daily metered consumption (sub-meters left out, as in every
 * total) beside the figure entered by hand where there is one, their difference and a flag when they
 * are more than 5 % apart. Entered carriers are by rule not metered, so they show the entered figure only.
 */
import type { Config, EnterpriseConfig } from '../../config/schema';
import { conversionFactor, convert, energyUnitOfPower } from '../../config/units';
import { enteredConsumption, type MonthlyFields } from '../energy/monthlyStatistics';
import { submeterKeys } from '../energy/meterScope';
import type { MeterKey, TimeSeriesStore } from '../store/timeSeriesStore';
import { figure } from './precision';

/** More than this fraction apart (relative to the metered figure) is flagged. */
export const RECONCILIATION_TOLERANCE = 0.05;

export interface ReconciliationLine {
  readonly kind: 'carrier' | 'product';
  /** Carrier (electricity, raw_coal) or product (aluminium_liquid). */
  readonly key: string;
  readonly unit: string;
  /** Sum of the month's daily metered consumption; null when nothing meters it. */
  readonly metered: number | null;
  /** The entered figure in `unit`; null when none was entered. */
  readonly entered: number | null;
  /** entered - metered; null unless both exist. */
  readonly difference: number | null;
  /** difference / metered; null unless both exist and metered is not 0. */
  readonly relativeDifference: number | null;
  /** More than the tolerance apart; an entered figure beside a metered 0 is flagged unless it is 0 too. */
  readonly flagged: boolean;
}

export interface MeteredFigure {
  readonly kind: 'carrier' | 'product';
  readonly key: string;
  readonly unit: string;
  readonly quantity: number;
}

export interface EnteredFigure {
  readonly kind: 'carrier' | 'product';
  readonly key: string;
  readonly unit: string;
  readonly quantity: number;
}

/** One line per metered or entered figure; an entered figure in another unit is converted to the metered unit. */
export function reconcile(
  metered: readonly MeteredFigure[],
  entered: readonly EnteredFigure[],
  tolerance = RECONCILIATION_TOLERANCE,
): ReconciliationLine[] {
  const id = (f: { kind: string; key: string }) => `${f.kind}:${f.key}`;
  const enteredById = new Map(entered.map((f) => [id(f), f]));
  const lines: ReconciliationLine[] = metered.map((m) => {
    const e = enteredById.get(id(m));
    enteredById.delete(id(m));
    const factor = e && conversionFactor(e.unit, m.unit);
    if (!e || factor === undefined) return line(m.kind, m.key, m.unit, m.quantity, null, tolerance);
    return line(m.kind, m.key, m.unit, m.quantity, convert(e.quantity, factor), tolerance);
  });
  for (const e of enteredById.values()) lines.push(line(e.kind, e.key, e.unit, null, e.quantity, tolerance));
  return lines.sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
}

function line(
  kind: 'carrier' | 'product',
  key: string,
  unit: string,
  metered: number | null,
  entered: number | null,
  tolerance: number,
): ReconciliationLine {
  // Figures leave by the figure rule (9 significant digits, contract 8): a month of hourly shares sums with float noise.
  metered = figure(metered);
  entered = figure(entered);
  if (metered === null || entered === null) return { kind, key, unit, metered, entered, difference: null, relativeDifference: null, flagged: false };
  const difference = figure(entered - metered);
  const relativeDifference = metered === 0 ? null : difference / metered;
  // Compared at 12 significant digits: 1050 kg against 1 t is 5 % apart, not 5.0000000000000044 %.
  const flagged = relativeDifference === null ? difference !== 0 : Math.abs(Number(relativeDifference.toPrecision(12))) > tolerance;
  return { kind, key, unit, metered, entered, difference, relativeDifference: figure(relativeDifference), flagged };
}

/** The entered figures of a record: products as entered, carriers as purchased + opening - closing. */
export function enteredFigures(fields: MonthlyFields): EnteredFigure[] {
  return [
    ...Object.entries(fields.products ?? {}).map(([key, p]) => ({ kind: 'product' as const, key, unit: p.unit, quantity: p.quantity })),
    ...Object.entries(fields.carriers ?? {}).map(([key, c]) => ({ kind: 'carrier' as const, key, unit: c.unit, quantity: enteredConsumption(c) })),
  ];
}

/**
 * The month's metered figures of an enterprise: daily sums over [from, to) per carrier (sub-meters out)
 * and per product (each product's own meters, queried apart since the store sums by carrier).
 */
export async function meteredFigures(
  deps: { store: TimeSeriesStore; config: Config },
  enterprise: EnterpriseConfig,
  from: number,
  to: number,
): Promise<MeteredFigure[]> {
  const zone = deps.config.timezone;
  const excludeMeters = submeterKeys(deps.config).filter((k) => k.enterprise === enterprise.id);
  const sum = (rows: readonly { carrier: string; unit: string; quantity: number }[], kind: 'carrier' | 'product', key?: string) => {
    const byKey = new Map<string, MeteredFigure>();
    for (const r of rows) {
      const k = key ?? r.carrier;
      const prev = byKey.get(k);
      byKey.set(k, { kind, key: k, unit: r.unit, quantity: (prev?.quantity ?? 0) + r.quantity });
    }
    return [...byKey.values()];
  };
  const base = { enterprises: [enterprise.id], from, to, every: '1d' as const, zone, excludeMeters };
  const carrierRows = (await deps.store.consumption(base)).filter((r) => r.carrier !== 'product');
  const carriers = sum(carrierRows, 'carrier');
  // Carriers metered but with no consumption in the month still show, as 0.
  const meteredCarriers = new Set(enterprise.meters.filter((m) => m.carrier !== 'product' && !m.submeter).map((m) => m.carrier));
  for (const c of meteredCarriers)
    if (!carriers.some((f) => f.key === c)) carriers.push(zeroFigure('carrier', c, enterprise, (m) => m.carrier === c));
  const products = new Map<string, MeterKey[]>();
  for (const m of enterprise.meters)
    if (m.carrier === 'product' && m.product !== undefined && !m.submeter)
      products.set(m.product, [...(products.get(m.product) ?? []), { enterprise: enterprise.id, meter: m.id }]);
  const productFigures = await Promise.all(
    [...products].map(async ([product, meters]) => {
      const rows = await deps.store.consumption({ ...base, meters });
      return sum(rows, 'product', product)[0] ?? zeroFigure('product', product, enterprise, (m) => m.product === product);
    }),
  );
  return [...carriers, ...productFigures];
}

function zeroFigure(
  kind: 'carrier' | 'product',
  key: string,
  e: EnterpriseConfig,
  match: (m: EnterpriseConfig['meters'][number]) => boolean,
): MeteredFigure {
  const meter = e.meters.find(match);
  // A power meter's quantity is energy: kW meters count kWh.
  const unit = (meter?.kind === 'power' ? energyUnitOfPower(meter.unit) : meter?.unit) ?? '';
  return { kind, key, unit, quantity: 0 };
}
