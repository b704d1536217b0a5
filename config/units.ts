/**
 * Physical units and exact conversions between them (contract section 2: a reading's `unit` must
 * equal the meter's unit or convert to it exactly). Factors are powers of ten, so conversion is
 * a multiplication by a decimal scale.
 */
export type Dimension = 'energy-electric' | 'power' | 'energy-heat' | 'mass' | 'volume';

interface UnitDef {
  readonly canonical: string;
  readonly dimension: Dimension;
  readonly factor: number;
}

const UNITS: readonly UnitDef[] = [
  { canonical: 'Wh', dimension: 'energy-electric', factor: 1e-3 },
  { canonical: 'kWh', dimension: 'energy-electric', factor: 1 },
  { canonical: 'MWh', dimension: 'energy-electric', factor: 1e3 },
  { canonical: 'GWh', dimension: 'energy-electric', factor: 1e6 },
  { canonical: 'W', dimension: 'power', factor: 1e-3 },
  { canonical: 'kW', dimension: 'power', factor: 1 },
  { canonical: 'MW', dimension: 'power', factor: 1e3 },
  { canonical: 'kJ', dimension: 'energy-heat', factor: 1e-3 },
  { canonical: 'MJ', dimension: 'energy-heat', factor: 1 },
  { canonical: 'GJ', dimension: 'energy-heat', factor: 1e3 },
  { canonical: 'TJ', dimension: 'energy-heat', factor: 1e6 },
  { canonical: 'kg', dimension: 'mass', factor: 1e-3 },
  { canonical: 't', dimension: 'mass', factor: 1 },
  { canonical: 'm3', dimension: 'volume', factor: 1 },
  { canonical: '10^4 m3', dimension: 'volume', factor: 1e4 },
];

/** Spellings gateways use for the same unit. */
const ALIASES: Readonly<Record<string, string>> = {
  'm³': 'm3',
  Nm3: 'm3',
  'Nm³': 'm3',
  万m3: '10^4 m3',
  '万m³': '10^4 m3',
  '10^4m3': '10^4 m3',
  '1e4 m3': '10^4 m3',
  '1e4m3': '10^4 m3',
  '10^4 m³': '10^4 m3',
  kwh: 'kWh',
  KWH: 'kWh',
  KWh: 'kWh',
  mwh: 'MWh',
  kw: 'kW',
  KW: 'kW',
  mw: 'MW',
  T: 't',
  ton: 't',
  tonne: 't',
  gj: 'GJ',
  mj: 'MJ',
};

const byName = new Map(UNITS.map((u) => [u.canonical, u]));

export function canonicalUnit(unit: string): string {
  const trimmed = unit.trim();
  return ALIASES[trimmed] ?? trimmed;
}

export function unitDef(unit: string): UnitDef | undefined {
  return byName.get(canonicalUnit(unit));
}

/**
 * Factor that turns a value in `from` into `to`, or undefined when the two do not convert
 * (different dimensions, or an unknown unit that is not literally the same).
 */
export function conversionFactor(from: string, to: string): number | undefined {
  const a = canonicalUnit(from);
  const b = canonicalUnit(to);
  if (a === b) return 1;
  const ua = byName.get(a);
  const ub = byName.get(b);
  if (!ua || !ub || ua.dimension !== ub.dimension) return undefined;
  return ua.factor / ub.factor;
}

/** Convert with a scale that keeps decimal readings exact where the float allows (1.5 MWh -> 1500 kWh). */
export function convert(value: number, factor: number): number {
  if (factor === 1) return value;
  return factor >= 1 ? value * factor : value / (1 / factor);
}

/** The energy unit a power meter's integral is in: kW -> kWh, MW -> MWh, W -> Wh. */
export function energyUnitOfPower(powerUnit: string): string | undefined {
  const u = unitDef(powerUnit);
  if (!u || u.dimension !== 'power') return undefined;
  return `${u.canonical}h`;
}
