/**
 * Load profiles for the meter simulator: how fast each meter of a plant consumes or produces, as a
 * function of time only. A profile is a cyclic curve (one day or one week of half-hour points, linear
 * in between) plus a few slow sinusoidal "wiggles". Both integrate in closed form, so a counter's
 * register can be computed for any instant directly from a fixed epoch: values are the same on every
 * run and after a restart, without any saved state.
 *
 * Rates are in the meter's unit per hour (kWh/h = kW for electricity). Figures are plausible for the
 * demo plants (config/demo.yaml), not measurements.
 */
import type { EnterpriseConfig, MeterConfig } from '../../config/schema';
import { conversionFactor, unitDef } from '../../config/units';
import { incidentIntegral, incidentRate, type Incident } from './incidents';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const STEP_HOURS = 0.5;
const STEP_MS = STEP_HOURS * HOUR_MS;

/**
 * Origin of every integral, as "local" milliseconds (UTC ms + the site's UTC offset): Monday
 * 2024-01-01 00:00 local. A Monday, so weekly profiles know the day of the week.
 */
export const PROFILE_EPOCH_LOCAL_MS = Date.UTC(2024, 0, 1);

/** Deterministic hash of its parts to [0, 1): FNV-1a then a murmur3 finaliser for avalanche. */
export function hash01(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.join('\u0001');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

interface Wiggle {
  readonly amplitude: number;
  readonly periodHours: number;
  readonly phase: number;
}

export interface RateProfile {
  /** Rate at each half-hour point of one cycle (48 points = a day, 336 = a week). */
  readonly points: readonly number[];
  /** Integral (unit x h) from the cycle start to each point; one more entry than points. */
  readonly cumulative: readonly number[];
  readonly wiggles: readonly Wiggle[];
  readonly meanPerHour: number;
  /** Multiplicative noise on interval readings (interval meters only; keeps counters exact). */
  readonly noise: 'none' | 'mild' | 'solar';
  /** Extra load one day a month (incidents.ts), in the meter's unit per hour; the mean leaves it out. */
  readonly incident?: Incident;
}

/** A wiggle relative to the profile's mean; wiggles with the same key share a phase within an enterprise. */
interface WiggleSpec {
  readonly key: string;
  readonly rel: number;
  readonly periodHours: number;
}

interface ProfileSpec {
  /** Unit the level is given in; converted to the meter's unit. */
  readonly unit: string;
  /** Rate at local hour-of-day `h` (0..24) on day-of-week `dow` (0 = Monday). */
  readonly level: (h: number, dow: number) => number;
  readonly weekly?: boolean;
  /** Added to the level after the wiggle amplitudes are fixed (a sub-meter that shares the main meter's wiggles). */
  readonly offset?: number;
  readonly wiggles?: readonly WiggleSpec[];
  readonly noise?: 'mild' | 'solar';
  /** Extra load one day a month, in `unit` per hour (converted like the level). */
  readonly incident?: Incident;
}

const flat = (value: number) => (): number => value;
/** Low outside [rampUp, rampDown], high inside, with one-hour linear ramps. */
function dayShape(h: number, low: number, high: number, rampUp: number, rampDown: number): number {
  const up = Math.min(1, Math.max(0, h - rampUp + 1));
  const down = Math.min(1, Math.max(0, rampDown + 1 - h));
  return low + (high - low) * Math.min(up, down);
}
/** Rooftop PV clear-sky shape: zero outside 06:30-19:00 local (Chongqing, averaged over the year). */
function sun(h: number): number {
  if (h <= 6.5 || h >= 19) return 0;
  return Math.sin((Math.PI * (h - 6.5)) / 12.5) ** 1.3;
}

/* Production wiggles shared by every meter that follows output, so that ratios stay steady. */
const ALU_PROD: readonly WiggleSpec[] = [
  { key: 'p1', rel: 0.01, periodHours: 53 / 60 },
  { key: 'p2', rel: 0.008, periodHours: 3.7 },
  { key: 'p3', rel: 0.006, periodHours: 29 },
];
const CEM_PROD: readonly WiggleSpec[] = [
  { key: 'p1', rel: 0.012, periodHours: 47 / 60 },
  { key: 'p2', rel: 0.01, periodHours: 5.3 },
  { key: 'p3', rel: 0.008, periodHours: 41 },
];
const CHEM_PROD: readonly WiggleSpec[] = [
  { key: 'p1', rel: 0.008, periodHours: 1.3 },
  { key: 'p2', rel: 0.006, periodHours: 7 },
  { key: 'p3', rel: 0.006, periodHours: 53 },
];

/** Aluminium: ~45.7 MW round the clock (potlines never stop) for ~30 kt/yr at ~13,330 kWh/t. */
const ALU_KW = 45_700;
const ALU_KWH_PER_T = 13_330;
/** Auxiliaries (casthouse, carbon plant, offices) outside the potline's rectifiers. */
const ALU_AUX_KW = 2_100;
/**
 * The electricity counter carries an extra 9-day "efficiency" swing of +-0.6 % that the product
 * does not: unit consumption drifts between ~13,250 and ~13,410 kWh/t, so the 2025 tier
 * threshold of 13,300 kWh/t (domain 3.1) is crossed now and then.
 */
const ALU_EFF: WiggleSpec = { key: 'eff', rel: 0.006, periodHours: 216 };
/**
 * The potlines' own AC consumption (rectifier input, counted on a sub-meter of e-main): the total
 * less the auxiliaries, ~43,600 kW for ~3.43 t/h, ~12,720 kWh/t. This is the indicator of the
 * benchmark level (铝液交流电耗, 13,000 / 13,350 kWh/t), while the tariff's 13,300 kWh/t applies to
 * the whole plant's AC (铝液综合交流电耗, ~13,330 kWh/t here): the smelter is at benchmark and still pays
 * the step markup (domain 4.2, 3.1).
 */
const ALU_POTLINE: ProfileSpec = { unit: 'kW', level: flat(ALU_KW), offset: -ALU_AUX_KW, wiggles: [...ALU_PROD, ALU_EFF] };
/**
 * Cement clinker: ~188 t/h on a 4,800 t/d (200 t/h) line. The fixed loads and the coal stay those
 * of full output, so unit consumption is poor: coal 29.4 t/h x 0.7143 kgce/kg = 21,000 kgce/h plus
 * ~12.5 MW x 0.1229 = ~1,540 kgce/h, over 188 t/h = ~119.9 kgce/t, above the 117 kgce/t baseline
 * (the demo's plant below baseline, past its end-2025 deadline).
 */
const CEM_CLINKER_T_PER_H = 188;
/**
 * pha01's demo anomaly for the diagnosis: on the second Wednesday of every month (incidents.ts) the
 * air compressors and the clean-room air handling (steam reheat) are left running outside the shift,
 * 00:00-07:00 and 20:00-24:00: +960 kW and +1.84 t/h of steam, 40 % of the night load each. That day
 * uses 10,560 kWh (1.30 tce) and 20.24 t of steam (2.60 tce) more, ~3.9 tce on a weekday of ~30 tce,
 * well beyond the day-to-day spread the rooftop PV's cloudiness gives.
 */
const INCIDENT_HOURS: readonly (readonly [number, number])[] = [
  [0, 7],
  [20, 24],
];
/** Cement clinker line (GB/T 4754 3011): kiln, coal mill and fans constant; the raw mill avoids the evening peak tariff. */
const rawMill = (h: number): number => (h < 8 ? 1 : h < 11 ? 0.8 : h < 18 ? 0.9 : h < 22 ? 0 : 1);

const INDUSTRY: Readonly<Record<string, Readonly<Record<string, ProfileSpec>>>> = {
  '3216': {
    electricity: { unit: 'kWh', level: flat(ALU_KW), wiggles: [...ALU_PROD, ALU_EFF] },
    'electricity:power': ALU_POTLINE,
    'electricity:submeter': { ...ALU_POTLINE, unit: 'kWh' },
    product: { unit: 't', level: flat(ALU_KW / ALU_KWH_PER_T), wiggles: ALU_PROD },
    // Casthouse holding furnaces and anode baking: more gas in the day shift.
    natural_gas: { unit: 'm3', level: (h) => dayShape(h, 150, 215, 8, 18), wiggles: [{ key: 'gas', rel: 0.04, periodHours: 2.3 }] },
  },
  '3011': {
    // 7,800 kW + 6,000 kW raw mill x 78 % duty = ~12.5 MW for 188 t/h clinker = ~66.5 kWh/t.
    electricity: { unit: 'kWh', level: (h) => 7_800 + 6_000 * rawMill(h), wiggles: [...CEM_PROD, { key: 'mill', rel: 0.01, periodHours: 1.7 }] },
    // ~156 kg raw coal (5,000 kcal/kg) per t clinker = ~112 kgce/t, over the 109 kgce/t grade-3 coal limit (domain 4.2).
    raw_coal: { unit: 't', level: flat(29.4), wiggles: [...CEM_PROD, { key: 'coal', rel: 0.015, periodHours: 2.9 }] },
    product: { unit: 't', level: flat(CEM_CLINKER_T_PER_H), wiggles: CEM_PROD },
  },
  '2614': {
    // Natural-gas methanol, ~100 kt/yr: 11.4 t/h, ~650 m3/t process gas, ~290 m3/t fuel gas.
    product: { unit: 't', level: flat(11.4), wiggles: CHEM_PROD },
    feedstock_natural_gas: { unit: 'm3', level: flat(7_410), wiggles: [...CHEM_PROD, { key: 'feed', rel: 0.004, periodHours: 13 }] },
    natural_gas: { unit: 'm3', level: flat(3_300), wiggles: [...CHEM_PROD, { key: 'fuel', rel: 0.01, periodHours: 2.1 }] },
    steam: { unit: 'GJ', level: (h) => dayShape(h, 12.6, 11.4, 10, 17), wiggles: [{ key: 'steam', rel: 0.03, periodHours: 1.1 }] },
    electricity: { unit: 'kWh', level: flat(1_450), wiggles: [...CHEM_PROD, { key: 'comp', rel: 0.02, periodHours: 0.7 }] },
  },
  '2710': {
    // API plant: batch reactors and HVAC in the day shift, weekends lighter. The diagnosis's demo
    // anomaly (INCIDENT_HOURS): +40 % of the night load of electricity and steam.
    electricity: {
      unit: 'kWh',
      weekly: true,
      level: (h, d) => (d < 5 ? dayShape(h, 2_400, 4_500, 8, 19) : dayShape(h, 2_200, 3_200, 9, 17)),
      incident: { extraPerHour: 960, hours: INCIDENT_HOURS },
      wiggles: [
        { key: 'e1', rel: 0.02, periodHours: 0.9 },
        { key: 'e2', rel: 0.015, periodHours: 5 },
      ],
    },
    steam: {
      unit: 't',
      weekly: true,
      level: (h, d) => (d < 5 ? dayShape(h, 4.6, 7.6, 7, 19) : dayShape(h, 4.4, 5.6, 8, 17)),
      wiggles: [{ key: 's1', rel: 0.04, periodHours: 1.6 }],
      incident: { extraPerHour: 1.84, hours: INCIDENT_HOURS },
    },
    water: { unit: 't', weekly: true, level: (h, d) => (d < 5 ? dayShape(h, 35, 75, 7, 19) : dayShape(h, 30, 45, 8, 17)), noise: 'mild' },
    // 2.5 MWp rooftop PV: ~1.4 MW at a clear noon; ~2,100 MWh (~830 kWh/kWp) a year after Chongqing's clouds.
    renewable_electricity: { unit: 'kWh', level: (h) => 1_400 * sun(h), noise: 'solar' },
    // The second API workshop's sub-meters (the demo's energy-review project): about 30 % of the plant's
    // electricity and 35 % of its steam, on the same shifts, always below the main meters.
    'electricity:submeter': {
      unit: 'kWh',
      weekly: true,
      level: (h, d) => (d < 5 ? dayShape(h, 700, 1_400, 8, 19) : dayShape(h, 650, 950, 9, 17)),
      wiggles: [{ key: 'ws2e', rel: 0.02, periodHours: 1.1 }],
    },
    'steam:submeter': {
      unit: 't',
      weekly: true,
      level: (h, d) => (d < 5 ? dayShape(h, 1.5, 2.7, 7, 19) : dayShape(h, 1.4, 1.9, 8, 17)),
      wiggles: [{ key: 'ws2s', rel: 0.04, periodHours: 1.9 }],
    },
  },
};

/** Any other meter: a modest flat load by the dimension of its unit. */
const GENERIC: Readonly<Record<string, ProfileSpec>> = {
  'energy-electric': { unit: 'kWh', level: (h) => dayShape(h, 800, 1_200, 8, 18), wiggles: [{ key: 'g1', rel: 0.03, periodHours: 1.3 }] },
  power: { unit: 'kW', level: (h) => dayShape(h, 800, 1_200, 8, 18), wiggles: [{ key: 'g1', rel: 0.03, periodHours: 1.3 }] },
  'energy-heat': { unit: 'GJ', level: flat(10), wiggles: [{ key: 'g2', rel: 0.03, periodHours: 2.1 }] },
  mass: { unit: 't', level: flat(5), wiggles: [{ key: 'g3', rel: 0.03, periodHours: 1.7 }] },
  volume: { unit: 'm3', level: flat(500), wiggles: [{ key: 'g4', rel: 0.03, periodHours: 1.9 }] },
};

function specFor(enterprise: EnterpriseConfig, meter: MeterConfig): { spec: ProfileSpec; factor: number } {
  const industry = INDUSTRY[enterprise.industry] ?? {};
  // A power meter, then a sub-meter, may have its own curve; else the carrier's curve of the industry.
  const variant = meter.kind === 'power' ? 'power' : meter.submeter ? 'submeter' : undefined;
  const candidates = [variant !== undefined ? industry[`${meter.carrier}:${variant}`] : undefined, industry[meter.carrier]];
  const dimension = unitDef(meter.unit)?.dimension;
  if (dimension !== undefined) candidates.push(GENERIC[dimension]);
  for (const spec of candidates) {
    const factor = spec && conversionFactor(spec.unit, meter.unit);
    if (spec && factor !== undefined) return { spec, factor };
  }
  // A unit the table does not know (a product counted in pieces): 100 of them an hour.
  return { spec: { unit: meter.unit, level: flat(100), wiggles: [{ key: 'g5', rel: 0.03, periodHours: 1.5 }] }, factor: 1 };
}

/** The profile of one meter, scaled to its unit; phases are seeded by the enterprise id. */
export function profileFor(enterprise: EnterpriseConfig, meter: MeterConfig): RateProfile {
  const { spec, factor } = specFor(enterprise, meter);
  const n = (spec.weekly ? 7 * 24 : 24) / STEP_HOURS;
  const base = Array.from({ length: n }, (_, i) => {
    const hours = i * STEP_HOURS;
    return spec.level(hours % 24, Math.floor(hours / 24)) * factor;
  });
  // Cyclic piecewise-linear curve over equal steps: its mean is the mean of its points.
  const mean = base.reduce((a, b) => a + b, 0) / n;
  const wiggles = (spec.wiggles ?? []).map((w) => ({
    amplitude: w.rel * mean,
    periodHours: w.periodHours,
    phase: 2 * Math.PI * hash01(enterprise.id, w.key),
  }));
  const points = base.map((v) => v + (spec.offset ?? 0) * factor);
  // Keep rates non-negative everywhere, or a counter would run backwards.
  const swing = wiggles.reduce((a, w) => a + w.amplitude, 0);
  if (swing > 0 && Math.min(...points) < swing) throw new Error(`profile of ${enterprise.id}/${meter.id} could go negative`);
  const cumulative = [0];
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += (STEP_HOURS * (at(points, i) + at(points, (i + 1) % n))) / 2;
    cumulative.push(total);
  }
  const incident = spec.incident && { ...spec.incident, extraPerHour: spec.incident.extraPerHour * factor };
  return { points, cumulative, wiggles, meanPerHour: total / (n * STEP_HOURS), noise: spec.noise ?? 'none', ...(incident && { incident }) };
}

/** Indexes are computed in range; a miss would be a bug here, not bad input. */
function at(values: readonly number[], i: number): number {
  const v = values[i];
  if (v === undefined) throw new Error(`profile index ${i} out of range`);
  return v;
}

/** Rate (unit per hour) at `localMs` (UTC ms + site offset). */
export function rateAt(p: RateProfile, localMs: number): number {
  const t = localMs - PROFILE_EPOCH_LOCAL_MS;
  const n = p.points.length;
  const cycleMs = n * STEP_MS;
  const within = ((t % cycleMs) + cycleMs) % cycleMs;
  const i = Math.floor(within / STEP_MS);
  const f = (within - i * STEP_MS) / STEP_MS;
  const a = at(p.points, i);
  const b = at(p.points, (i + 1) % n);
  const hours = t / HOUR_MS;
  let rate = a + (b - a) * f;
  for (const w of p.wiggles) rate += w.amplitude * Math.sin((2 * Math.PI * hours) / w.periodHours + w.phase);
  if (p.incident) rate += incidentRate(p.incident, localMs);
  return rate;
}

/** Quantity (unit) from the profile epoch to `localMs`: the exact integral of rateAt. */
export function integralTo(p: RateProfile, localMs: number): number {
  const t = localMs - PROFILE_EPOCH_LOCAL_MS;
  const n = p.points.length;
  const cycleMs = n * STEP_MS;
  const cycles = Math.floor(t / cycleMs);
  const within = t - cycles * cycleMs;
  const i = Math.min(n - 1, Math.floor(within / STEP_MS));
  const f = (within - i * STEP_MS) / STEP_MS;
  const a = at(p.points, i);
  const b = at(p.points, (i + 1) % n);
  let q = cycles * at(p.cumulative, n) + at(p.cumulative, i) + STEP_HOURS * (a * f + ((b - a) * f * f) / 2);
  const hours = t / HOUR_MS;
  for (const w of p.wiggles) {
    const k = (2 * Math.PI) / w.periodHours;
    q += (w.amplitude / k) * (Math.cos(w.phase) - Math.cos(k * hours + w.phase));
  }
  if (p.incident) q += incidentIntegral(p.incident, localMs) - incidentIntegral(p.incident, PROFILE_EPOCH_LOCAL_MS);
  return q;
}

/**
 * Multiplicative noise for an interval reading ending at `ts`: +-5 % for `mild`; for `solar`, a
 * day's cloudiness (Chongqing is often overcast: 25-100 % of clear sky) times passing clouds.
 */
export function intervalNoise(p: RateProfile, seed: string, ts: number, localDay: number): number {
  if (p.noise === 'mild') return 0.95 + 0.1 * hash01(seed, ts);
  if (p.noise === 'solar') return (0.25 + 0.75 * hash01(seed, 'day', localDay)) * (0.8 + 0.2 * hash01(seed, ts));
  return 1;
}
