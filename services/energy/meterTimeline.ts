/**
 * The meter events in force for each meter (contract 8.1), as every reader of consumption sees them:
 * the segments that replacement and multiplier events cut a meter's readings into, the multiplier
 * and rollover of each, the virtual readings at the cuts, the decommission instant and the
 * calibration date. Pure: the events come in as data (services/store/state/meterEventStore.ts keeps
 * them), and one in-memory index (MeterTimelines) is shared by ingest, figures and the ledger.
 *
 * The configured multiplier and rollover describe the meter as first installed, before its first
 * event; each event says what holds from its instant on (docs/ledger/meter-events.md).
 */
import type { MeterConfig } from '../../config/schema';
import type { MeterModel, Sample } from './consumption';
import type { MeterEvent, MeterEventInput } from './meterEvents';
import type { MeterRef } from './meterScope';

/** A stretch of a meter's life with one multiplier and rollover: readings with from <= ts < to. */
export interface Segment {
  /** -Infinity for the first segment. */
  readonly from: number;
  /** Infinity for the last, unless decommissioned. */
  readonly to: number;
  readonly model: MeterModel;
  /** Virtual first reading at `from` (counter meters: the new meter's initial register). */
  readonly start?: Sample;
  /** Virtual last reading at `to` (counter meters: the old meter's final register). */
  readonly end?: Sample;
}

type CutEvent = Extract<MeterEvent, { type: 'replace' | 'multiplier' }>;
const isCut = (e: MeterEvent): e is CutEvent => e.type === 'replace' || e.type === 'multiplier';
const byTime = (a: MeterEvent, b: MeterEvent): number => a.at - b.at || a.id - b.id;

/** The model in force after a cut event, given the one before. */
function modelAfter(before: MeterModel, e: CutEvent): MeterModel {
  if (e.type === 'multiplier') return { ...before, multiplier: e.multiplier };
  return { ...before, multiplier: e.multiplier ?? before.multiplier, rollover: e.rollover ?? before.rollover };
}

/** The events in force for one meter; immutable, rebuilt when an event is added or retracted. */
export class MeterTimeline {
  static readonly EMPTY = new MeterTimeline([]);

  readonly events: readonly MeterEvent[];
  /** Replacement and multiplier events in time order (at most one per instant: validation). */
  private readonly cutEvents: readonly CutEvent[];
  /** The earliest decommission in force; nothing of the meter counts from it on. */
  readonly decommissionedAt: number | undefined;
  private readonly finalRegister: number | undefined;

  constructor(events: readonly MeterEvent[]) {
    this.events = events.filter((e) => e.retractedAt === undefined).sort(byTime);
    const decommission = this.events.find((e) => e.type === 'decommission');
    this.decommissionedAt = decommission?.at;
    this.finalRegister = decommission?.type === 'decommission' ? decommission.finalRegister : undefined;
    this.cutEvents = this.events.filter(isCut).filter((e) => this.decommissionedAt === undefined || e.at < this.decommissionedAt);
  }

  /** No event changes the arithmetic: readers take today's path. */
  get plain(): boolean {
    return this.cutEvents.length === 0 && this.decommissionedAt === undefined;
  }

  /** The valid-until date (YYYY-MM-DD) of the latest calibration by data time, if any. */
  get calibrationValidUntil(): string | undefined {
    const cals = this.events.filter((e) => e.type === 'calibration');
    const last = cals[cals.length - 1];
    return last?.type === 'calibration' ? last.validUntil : undefined;
  }

  /** Instants where the arithmetic changes (replacement, multiplier, decommission), ascending. */
  cuts(): number[] {
    const out = this.cutEvents.map((e) => e.at);
    if (this.decommissionedAt !== undefined) out.push(this.decommissionedAt);
    return out;
  }

  /** The latest cut at or before t. */
  cutAtOrBefore(t: number): number | undefined {
    let found: number | undefined;
    for (const c of this.cuts()) if (c <= t) found = c;
    return found;
  }

  /** The earliest cut after t. */
  cutAfter(t: number): number | undefined {
    return this.cuts().find((c) => c > t);
  }

  /** Some cut c with a < c <= b: a pair of readings at a and b does not stand on its own. */
  cutBetween(a: number, b: number): boolean {
    return this.cuts().some((c) => c > a && c <= b);
  }

  /** The segments of the meter's life, in time order; `base` is the configured model. */
  segments(base: MeterModel): Segment[] {
    const counter = base.kind === 'counter';
    const out: Segment[] = [];
    let model = base;
    let from = -Infinity;
    let start: Sample | undefined;
    for (const e of this.cutEvents) {
      const oldFinal = e.type === 'replace' ? e.oldFinalRegister : e.register;
      const newInitial = e.type === 'replace' ? e.newInitialRegister : e.register;
      const end = counter && oldFinal !== undefined ? { ts: e.at, value: oldFinal } : undefined;
      out.push({ from, to: e.at, model, ...(start && { start }), ...(end && { end }) });
      model = modelAfter(model, e);
      from = e.at;
      start = counter && newInitial !== undefined ? { ts: e.at, value: newInitial } : undefined;
    }
    const to = this.decommissionedAt ?? Infinity;
    const end =
      counter && this.finalRegister !== undefined && this.decommissionedAt !== undefined ? { ts: to, value: this.finalRegister } : undefined;
    out.push({ from, to, model, ...(start && { start }), ...(end && { end }) });
    return out;
  }

  /** The model (multiplier, rollover) in force at instant t. */
  modelAt(base: MeterModel, t: number): MeterModel {
    let model = base;
    for (const e of this.cutEvents) if (e.at <= t) model = modelAfter(model, e);
    return model;
  }

  multiplierAt(base: MeterModel, t: number): number {
    return this.modelAt(base, t).multiplier;
  }
}

const keyId = (k: MeterRef): string => `${k.enterprise}\u0000${k.meter}`;

/** One in-memory index of the events in force, per meter. */
export class MeterTimelines {
  private readonly events = new Map<string, Map<number, MeterEvent>>();
  private readonly timelines = new Map<string, MeterTimeline>();
  private readonly meterOf = new Map<number, string>();

  /** Replaces the whole index (at start, from the store's active events). */
  set(events: readonly MeterEvent[]): void {
    this.events.clear();
    this.timelines.clear();
    this.meterOf.clear();
    for (const e of events) this.put(e);
    for (const k of this.events.keys()) this.rebuild(k);
  }

  add(e: MeterEvent): void {
    this.put(e);
    this.rebuild(keyId(e));
  }

  remove(id: number): void {
    const k = this.meterOf.get(id);
    if (k === undefined) return;
    this.events.get(k)?.delete(id);
    this.meterOf.delete(id);
    this.rebuild(k);
  }

  of(key: MeterRef): MeterTimeline {
    return this.timelines.get(keyId(key)) ?? MeterTimeline.EMPTY;
  }

  /** Every meter with at least one event in force (calibration alarms, the meter list). */
  meters(): { key: MeterRef; timeline: MeterTimeline }[] {
    const out: { key: MeterRef; timeline: MeterTimeline }[] = [];
    for (const t of this.timelines.values()) {
      const e = t.events[0];
      if (e) out.push({ key: { enterprise: e.enterprise, meter: e.meter }, timeline: t });
    }
    return out;
  }

  private put(e: MeterEvent): void {
    if (e.retractedAt !== undefined) return;
    const k = keyId(e);
    let m = this.events.get(k);
    if (!m) this.events.set(k, (m = new Map()));
    m.set(e.id, e);
    this.meterOf.set(e.id, k);
  }

  private rebuild(k: string): void {
    const list = [...(this.events.get(k)?.values() ?? [])];
    if (list.length === 0) this.timelines.delete(k);
    else this.timelines.set(k, new MeterTimeline(list));
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function registersOf(input: MeterEventInput): [string, number | undefined][] {
  switch (input.type) {
    case 'replace':
      return [
        ['oldFinalRegister', input.oldFinalRegister],
        ['newInitialRegister', input.newInitialRegister],
      ];
    case 'multiplier':
      return [['register', input.register]];
    case 'decommission':
      return [['finalRegister', input.finalRegister]];
    case 'calibration':
      return [];
  }
}

/**
 * Every problem with recording `input` on `meter`, given the meter's events in force (empty: valid).
 * Readings are not consulted: an event is a fact about the meter, checked against the other facts.
 */
export function validateMeterEvent(meter: MeterConfig, existing: readonly MeterEvent[], input: MeterEventInput, now: number): string[] {
  const problems: string[] = [];
  const timeline = new MeterTimeline(existing);
  const base: MeterModel = { kind: meter.kind, multiplier: meter.multiplier, rollover: meter.rollover, intervalMs: meter.intervalSeconds * 1000 };
  const at = input.at;
  if (!Number.isFinite(at)) return ['at is not a valid instant'];
  if (at > now) problems.push('at is in the future');

  const registers = registersOf(input).filter((r): r is [string, number] => r[1] !== undefined);
  if (meter.kind !== 'counter') {
    for (const [name] of registers) problems.push(`${name}: a ${meter.kind} meter has no register`);
  } else {
    if (input.type === 'multiplier' && input.register === undefined)
      problems.push('register is required for a counter meter (the register read when the ratio changed)');
    if (input.type === 'replace') {
      if (input.oldFinalRegister === undefined) problems.push("oldFinalRegister is required for a counter meter (the old meter's last register)");
      if (input.newInitialRegister === undefined)
        problems.push("newInitialRegister is required for a counter meter (the new meter's first register)");
    }
    const before = timeline.modelAt(base, at - 1).rollover;
    const after = input.type === 'replace' ? (input.rollover ?? before) : before;
    for (const [name, value] of registers) {
      if (!Number.isFinite(value)) problems.push(`${name} must be a number`);
      else if (value < 0) problems.push(`${name} must not be negative`);
      const limit = name === 'newInitialRegister' ? after : before;
      if (limit !== undefined && value > limit) problems.push(`${name} ${value} is above the meter's rollover ${limit}`);
    }
  }
  if (input.type === 'replace' || input.type === 'multiplier') {
    const m = input.multiplier;
    if (m !== undefined && !(Number.isFinite(m) && m > 0)) problems.push('multiplier must be a positive number');
    if (input.type === 'replace' && input.rollover !== undefined && !(Number.isFinite(input.rollover) && input.rollover > 0))
      problems.push('rollover must be a positive number');
    const clash = timeline.events.find((e) => isCut(e) && e.at === at);
    if (clash) problems.push(`event ${clash.id} (${clash.type}) is already in force at the same instant: retract it first`);
  }
  if (input.type === 'calibration' && !isCalendarDate(input.validUntil)) problems.push('validUntil must be a date YYYY-MM-DD');

  const decommissioned = timeline.decommissionedAt;
  if (input.type === 'decommission' && decommissioned !== undefined) {
    // One decommission at a time, earlier or later: moving it means retracting the one in force.
    const inForce = timeline.events.find((e) => e.type === 'decommission');
    problems.push(`event ${inForce?.id ?? '?'} (decommission) is already in force from ${new Date(decommissioned).toISOString()}: retract it first`);
  } else if (decommissioned !== undefined && at >= decommissioned)
    problems.push(`the meter is decommissioned from ${new Date(decommissioned).toISOString()}`);
  if (input.type === 'decommission') {
    const later = timeline.events.filter((e) => e.at >= at && e.type !== 'calibration');
    if (later.length > 0 && decommissioned === undefined)
      problems.push(`events ${later.map((e) => e.id).join(', ')} are at or after this decommission: retract them first`);
  }
  return problems;
}

/** The meter's usable readings next to an event's instant r, within the segment the event cuts. */
export interface ReadingsAround {
  /** The last usable reading before r, at or after the previous cut. */
  readonly before?: Sample;
  /** The first usable reading at or after r, before the next cut. */
  readonly after?: Sample;
}

/** Section 4's wrap rule: from `prev` down to a lower register is a rollover, not a reset. */
const wraps = (prev: number, rollover: number | undefined): boolean => rollover !== undefined && prev >= 0.9 * rollover;

/**
 * Problems of a counter meter's event registers against its stored readings (contract 4 and 8.1):
 * a final register below the last reading before r, or an initial register above the first reading
 * at or after r, would book a reset (the whole register times the multiplier) that never happened.
 * A step that the rollover explains (the earlier register at least 90% of it) is accepted, as
 * section 4 would read it from the meter itself. Power and interval meters: none.
 */
export function readingProblems(meter: MeterConfig, existing: readonly MeterEvent[], input: MeterEventInput, around: ReadingsAround): string[] {
  if (meter.kind !== 'counter') return [];
  const timeline = new MeterTimeline(existing);
  const base: MeterModel = { kind: meter.kind, multiplier: meter.multiplier, rollover: meter.rollover, intervalMs: meter.intervalSeconds * 1000 };
  const rolloverBefore = timeline.modelAt(base, input.at - 1).rollover;
  const rolloverAfter = input.type === 'replace' ? (input.rollover ?? rolloverBefore) : rolloverBefore;
  const [finalName, final] =
    input.type === 'replace'
      ? ['oldFinalRegister', input.oldFinalRegister]
      : input.type === 'multiplier'
        ? ['register', input.register]
        : input.type === 'decommission'
          ? ['finalRegister', input.finalRegister]
          : ['', undefined];
  const [initialName, initial] =
    input.type === 'replace'
      ? ['newInitialRegister', input.newInitialRegister]
      : input.type === 'multiplier'
        ? ['register', input.register]
        : ['', undefined];
  const problems: string[] = [];
  const { before, after } = around;
  if (final !== undefined && Number.isFinite(final) && before && final < before.value && !wraps(before.value, rolloverBefore))
    problems.push(
      `${finalName} ${final} is below the reading ${before.value} at ${new Date(before.ts).toISOString()} before the event` +
        ' (it would book a meter reset): check the register, or correct that reading first',
    );
  if (initial !== undefined && Number.isFinite(initial) && after && after.value < initial && !wraps(initial, rolloverAfter))
    problems.push(
      `${initialName} ${initial} is above the reading ${after.value} at ${new Date(after.ts).toISOString()} at or after the event` +
        ' (it would book a meter reset): check the register, or correct that reading first',
    );
  return problems;
}
