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
  /**
   * Changes recorded in the ledger for this meter (demo script, contract 8.1), ascending: from a
   * `replace` the register restarts at `newInitialRegister`; from a `multiplier` change it runs on
   * with the new ratio. A meter with changes gets no random replacements.
   */
  readonly changes?: readonly ScriptedChange[];
}

/** A replacement or CT-ratio change the simulated meter goes through (the ledger holds the same event). */
export interface ScriptedChange {
  readonly type: 'replace' | 'multiplier';
  readonly at: number;
  /** The multiplier from `at` on; absent: unchanged. */
  readonly multiplier?: number;
  /** replace only: the new meter's register at `at` (default 0). */
  readonly newInitialRegister?: number;
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
  private readonly changes: readonly ScriptedChange[];

  constructor(options: MeterModelOptions) {
    this.enterpriseId = options.enterprise.id;
    this.meter = options.meter;
    this.key = `${options.enterprise.id}/${options.meter.id}`;
    this.intervalMs = options.meter.intervalSeconds * 1000;
    this.profile = profileFor(options.enterprise, options.meter);
    this.utcOffsetMs = options.utcOffsetMs;
    this.changes = [...(options.changes ?? [])].sort((a, b) => a.at - b.at);
    this.resets = options.resets && options.meter.kind === 'counter' && options.meter.rollover === undefined && this.changes.length === 0;
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
    if (this.changes.length > 0) return this.wrap(this.unwrappedWithChanges(ts, false));
    const local = ts + this.utcOffsetMs;
    const reset = this.lastResetAtOrBefore(ts);
    const quantity =
      reset === undefined
        ? this.installedQuantity + integralTo(this.profile, local)
        : integralTo(this.profile, local) - integralTo(this.profile, reset + this.utcOffsetMs);
    return this.wrap(Math.max(0, quantity) / this.meter.multiplier);
  }

  /**
   * The register the meter showed just before `ts` (the old meter's final register at a
   * replacement instant; contract 8.1: readings at `ts` already belong to the new segment).
   */
  registerBefore(ts: number): number {
    return this.wrap(this.unwrappedWithChanges(ts, true));
  }

  /** Scripted change instants in (from, to]: the seed reads the meter there, as at a replacement. */
  changesBetween(from: number, to: number): number[] {
    return this.changes.filter((c) => c.at > from && c.at <= to).map((c) => c.at);
  }

  /** The multiplier in force at `ts`. */
  multiplierAt(ts: number): number {
    let m = this.meter.multiplier;
    for (const c of this.changes) if (c.at <= ts && c.multiplier !== undefined) m = c.multiplier;
    return m;
  }

  /** Register before wrapping, following the scripted changes up to `ts` (excluded ones at `ts` when `before`). */
  private unwrappedWithChanges(ts: number, before: boolean): number {
    const q = (t: number) => integralTo(this.profile, t + this.utcOffsetMs);
    let register = (this.installedQuantity + q(ts)) / this.meter.multiplier;
    let from = Number.NEGATIVE_INFINITY;
    let multiplier = this.meter.multiplier;
    let base = 0;
    for (const c of this.changes) {
      if (c.at > ts || (before && c.at === ts)) break;
      const atChange = from === Number.NEGATIVE_INFINITY ? (this.installedQuantity + q(c.at)) / multiplier : base + (q(c.at) - q(from)) / multiplier;
      base = c.type === 'replace' ? (c.newInitialRegister ?? 0) : atChange;
      multiplier = c.multiplier ?? multiplier;
      from = c.at;
    }
    if (from !== Number.NEGATIVE_INFINITY) register = base + (q(ts) - q(from)) / multiplier;
    return Math.max(0, register);
  }

  private wrap(unwrapped: number): number {
    const rollover = this.meter.rollover;
    let register = round(unwrapped, this.decimals);
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
