/**
 * One simulated meter: what it reads at any instant. Everything is a pure function of time (and of
 * the enterprise and meter ids), so a restarted simulator publishes the very same values and a
 * resent reading is a true duplicate (contract 2: same key, same value, ignored).
 *
 * - counter: the raw register = (installed quantity + integral of the profile) / multiplier,
 *   wrapped at `rollover` (register = x mod rollover, which is exactly what the contract's
 *   `rollover - prev + new` step undoes). With resets enabled, a counter without a rollover is
 *   "replaced" on rare days chosen by a hash: from that instant its register restarts at 0.
 *   Counters with a rollover are never replaced, so their registers keep growing and wrap on
 *   schedule (chem01's 7-digit gas index about every four months).
 * - power: the instantaneous rate (kW).
 * - interval: the quantity over the interval ending at ts, with a little noise.
 */
import type { EnterpriseConfig, MeterConfig } from '../../config/schema';
import { unitDef } from '../../config/units';
import { DAY_MS, HOUR_MS, PROFILE_EPOCH_LOCAL_MS, hash01, integralTo, intervalNoise, profileFor, rateAt, type RateProfile } from './profiles';

/** Chance per day that a counter without a rollover is replaced (register back to 0): about monthly. */
export const RESET_PROBABILITY_PER_DAY = 1 / 45;

export interface MeterModelOptions {
  readonly enterprise: EnterpriseConfig;
  readonly meter: MeterConfig;
  /** The site's UTC offset in ms (Asia/Shanghai: +8 h, no daylight saving). */
  readonly utcOffsetMs: number;
  /** Inject meter replacements (an anomaly; off gives one unbroken register per meter). */
  readonly resets: boolean;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export class MeterModel {
  readonly enterpriseId: string;
  readonly meter: MeterConfig;
  readonly key: string;
  readonly intervalMs: number;
  private readonly profile: RateProfile;
  private readonly utcOffsetMs: number;
  private readonly resets: boolean;
  /** Quantity (meter unit, after the multiplier) on the register at the profile epoch. */
  private readonly installedQuantity: number;
  private readonly decimals: number;
  /** Memo: latest replacement at or before the end of a local day (null: none since the epoch). */
  private readonly lastResetByDay = new Map<number, number | null>();

  constructor(options: MeterModelOptions) {
    this.enterpriseId = options.enterprise.id;
    this.meter = options.meter;
    this.key = `${options.enterprise.id}/${options.meter.id}`;
    this.intervalMs = options.meter.intervalSeconds * 1000;
    this.profile = profileFor(options.enterprise, options.meter);
    this.utcOffsetMs = options.utcOffsetMs;
    this.resets = options.resets && options.meter.kind === 'counter' && options.meter.rollover === undefined;
    const m = options.meter;
    // A meter installed some years ago: anywhere up to a third of its register range (or ~3 years of use).
    const yearRegister = (this.profile.meanPerHour * 8760) / m.multiplier;
    const register = hash01(this.key, 'installed') * (m.rollover !== undefined ? m.rollover / 3 : 3 * yearRegister);
    this.installedQuantity = register * m.multiplier;
    const dim = unitDef(m.unit)?.dimension;
    // Registers as a meter displays them; tonnes to the kilogram.
    this.decimals = m.kind === 'power' ? 1 : m.kind === 'interval' || dim === 'mass' ? 3 : 2;
  }

  get kind(): MeterConfig['kind'] {
    return this.meter.kind;
  }

  /** The value the meter publishes for instant `ts` (epoch ms), in its configured unit. */
  valueAt(ts: number): number {
    const local = ts + this.utcOffsetMs;
    if (this.meter.kind === 'power') return round(Math.max(0, rateAt(this.profile, local)), this.decimals);
    if (this.meter.kind === 'interval') {
      const q = integralTo(this.profile, local) - integralTo(this.profile, local - this.intervalMs);
      const noise = intervalNoise(this.profile, this.key, ts, this.localDay(ts - 1));
      return round(Math.max(0, q * noise), this.decimals);
    }
    return this.registerAt(ts);
  }

  /** Raw counter register at `ts` (before the multiplier), wrapped at rollover. */
  registerAt(ts: number): number {
    const local = ts + this.utcOffsetMs;
    const reset = this.lastResetAtOrBefore(ts);
    const quantity =
      reset === undefined
        ? this.installedQuantity + integralTo(this.profile, local)
        : integralTo(this.profile, local) - integralTo(this.profile, reset + this.utcOffsetMs);
    const rollover = this.meter.rollover;
    let register = round(Math.max(0, quantity) / this.meter.multiplier, this.decimals);
    if (rollover !== undefined) {
      register = round(register % rollover, this.decimals);
      if (register >= rollover) register = 0;
    }
    return register;
  }

  /** Latest meter replacement at or before `ts`; the reading at the replacement instant is still the old meter's. */
  lastResetAtOrBefore(ts: number): number | undefined {
    if (!this.resets) return undefined;
    const day = this.localDay(ts);
    const today = this.resetOn(day);
    if (today !== undefined && today < ts) return today;
    return this.lastResetBeforeDay(day) ?? undefined;
  }

  /** Replacement instants in (from, to]: the YTD seed reads the meter there so no consumption is lost. */
  resetsBetween(from: number, to: number): number[] {
    if (!this.resets) return [];
    const out: number[] = [];
    for (let d = this.localDay(from); d <= this.localDay(to); d++) {
      const r = this.resetOn(d);
      if (r !== undefined && r > from && r <= to) out.push(r);
    }
    return out;
  }

  private localDay(ts: number): number {
    return Math.floor((ts + this.utcOffsetMs - PROFILE_EPOCH_LOCAL_MS) / DAY_MS);
  }

  /** The replacement instant on local day `day`, if the hash picks that day; on the meter's grid. */
  private resetOn(day: number): number | undefined {
    if (day < 0 || hash01(this.key, 'reset', day) >= RESET_PROBABILITY_PER_DAY) return undefined;
    const dayStart = PROFILE_EPOCH_LOCAL_MS + day * DAY_MS - this.utcOffsetMs;
    const at = dayStart + hash01(this.key, 'reset-at', day) * (DAY_MS - HOUR_MS);
    return Math.ceil(at / this.intervalMs) * this.intervalMs;
  }

  /** Latest replacement on a day before `day`; scans back to the epoch once, then memoised. */
  private lastResetBeforeDay(day: number): number | null {
    const pending: number[] = [];
    let found: number | null = null;
    for (let d = day - 1; d >= 0; d--) {
      const memo = this.lastResetByDay.get(d);
      if (memo !== undefined) {
        found = memo;
        break;
      }
      pending.push(d);
      const r = this.resetOn(d);
      if (r !== undefined) {
        found = r;
        break;
      }
    }
    for (const d of pending) this.lastResetByDay.set(d, found);
    return found;
  }
}
