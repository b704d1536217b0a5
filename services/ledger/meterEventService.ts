/**
 * Records and retracts meter events (contract 8.1) and makes every figure follow: validate (also
 * against the stored readings next to the event), store (never overwriting) with a durable
 * "recomputation owed" mark, update the shared timelines, recompute exactly the hours whose value
 * the event changes from the stored readings (inside the tracker's queue), wait for the day
 * rollups, clear the mark, then announce `ledgerChanged` so that status, rules and report revisions
 * run again.
 *
 * A recomputation that fails leaves the mark: the next poll, a retry of the same request, or the
 * next start finishes it. At start the events in force are loaded into the timelines and the owed
 * recomputations of this instance's meters are done; the composition starts this before ingest.
 *
 * Several instances over one state.db (README "Scale-out"): each polls the event store every
 * `pollMs` for rows recorded, retracted or settled by the others and applies them to its own
 * timelines (pricing, decommission quarantine, calibration alarms). Only the instance that writes
 * the meter's hours (`owns`: its ingest shard) recomputes them; the others announce the change once
 * the owner has cleared the mark. docs/ledger/meter-events.md, "Several instances".
 */
import { AppError, NotFoundError } from '../core/errors';
import type { Logger } from '../core/log';
import type { MeterModel } from '../energy/consumption';
import type { DataQualityEvent } from '../energy/dataQuality';
import type { MeterEvent, MeterEventInput } from '../energy/meterEvents';
import type { MeterRegistry, RegisteredMeter } from '../energy/meterRegistry';
import { MeterTimeline, readingProblems, validateMeterEvent, type ReadingsAround } from '../energy/meterTimeline';
import type { EventBus } from '../events/eventBus';
import type { MeterEventStore } from '../store/state/meterEventStore';
import type { MeterKey, TimeSeriesStore } from '../store/timeSeriesStore';

/** A well-formed event that is refused (422); `problems` names every one. */
export class MeterEventRejected extends AppError {
  constructor(
    readonly problems: readonly string[],
    context: Record<string, unknown> = {},
  ) {
    super('unprocessable', `meter event refused: ${problems.join('; ')}`, { context: { ...context, problems } });
  }
}

/** The enterprise or meter is not in the configuration (404). */
export class UnknownMeter extends NotFoundError {
  constructor(enterprise: string, meter: string) {
    super(`meter ${enterprise}/${meter}`, { enterprise, meter });
  }
}

export interface MeterEventServiceDeps {
  readonly events: MeterEventStore;
  readonly meters: MeterRegistry;
  readonly tracker: {
    recomputeMeter(
      key: MeterKey,
      from: number,
      to: number,
      options?: { toEnd?: boolean; stepsAt?: number; onStep?: (e: DataQualityEvent) => void },
    ): Promise<number>;
  };
  readonly store: Pick<TimeSeriesStore, 'usableNeighbour' | 'settleRollups'>;
  readonly bus: EventBus;
  readonly now?: () => number;
  /** Whether this instance writes the meter's hours (its ingest shard, ScaleOut.ownsMeter); default: every meter. */
  readonly owns?: (key: MeterKey) => boolean;
  /** Where the resets found by a recomputation are recorded for the data-quality rule (the state store). */
  readonly dataQuality?: { recordDataQuality(events: readonly DataQualityEvent[], at: number): void };
  /** How often the event store is polled for other instances' changes, ms; 0: never. Default 2,000. */
  readonly pollMs?: number;
  readonly logger?: Logger;
}

const DEFAULT_POLL_MS = 2_000;
/** Each poll reads again the rows changed this long before the previous one (commits in flight, clock steps). */
const POLL_OVERLAP_MS = 60_000;
const sameModel = (a: MeterModel, b: MeterModel): boolean => a.multiplier === b.multiplier && a.rollover === b.rollover;
const keyOf = (e: { enterprise: string; meter: string }): MeterKey => ({ enterprise: e.enterprise, meter: e.meter });

/** The facts of an event (what was sent), without who, when and the retraction: tells a retry. */
function factsOf(e: MeterEventInput | MeterEvent): string {
  const skip = new Set(['id', 'enterprise', 'meter', 'recordedBy', 'recordedAt', 'retractedBy', 'retractedAt']);
  const entries = Object.entries(e).filter(([k, v]) => !skip.has(k) && v !== undefined);
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The event as if in force (a retracted event's facts, for the timeline with it). */
function inForce(e: MeterEvent): MeterEvent {
  const rest: Record<string, unknown> = { ...e };
  delete rest.retractedAt;
  delete rest.retractedBy;
  return rest as unknown as MeterEvent;
}

export class MeterEventService {
  private readonly now: () => number;
  private readonly owns: (key: MeterKey) => boolean;
  /** Recomputations running here, by event id (a poll and a retry never run one twice at once). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Events applied here whose recomputation another instance owes: announced once it is done. */
  private readonly waiting = new Set<number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly deps: MeterEventServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.owns = deps.owns ?? (() => true);
  }

  /**
   * Loads the events in force into the shared timelines and does the recomputations owed for this
   * instance's meters (before ingest starts), then polls for other instances' changes.
   */
  async start(): Promise<void> {
    this.deps.meters.timelines.set(this.deps.events.active());
    this.cursor = this.now();
    for (const e of this.deps.events.pending()) {
      if (!this.mine(e)) {
        this.waiting.add(e.id);
        continue;
      }
      try {
        await this.settle(e.id);
      } catch (err) {
        // Left pending: the poll tries again; ingest may start meanwhile (its timelines are right).
        this.deps.logger?.error({ err, event: e.id }, 'meter event: owed recomputation failed at start; retried by the poll');
      }
    }
    const pollMs = this.deps.pollMs ?? DEFAULT_POLL_MS;
    if (pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), pollMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  list(enterprise: string, meter: string): MeterEvent[] {
    this.registered(enterprise, meter);
    return this.deps.events.list(enterprise, meter);
  }

  async record(enterprise: string, meter: string, input: MeterEventInput, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const before = this.deps.meters.timeline(reg.key);
    // A retry of an event whose recomputation failed: finish that, rather than refuse a duplicate.
    const retry = before.events.find((e) => factsOf(e) === factsOf(input) && this.deps.events.isPending(e.id));
    if (retry) {
      if (this.owns(reg.key)) await this.settle(retry.id);
      return this.deps.events.get(retry.id) ?? retry;
    }
    const problems = validateMeterEvent(reg.config, before.events, input, this.now());
    if (Number.isFinite(input.at)) problems.push(...readingProblems(reg.config, before.events, input, await this.around(reg, before, input)));
    if (problems.length > 0) throw new MeterEventRejected(problems, { enterprise, meter, type: input.type });
    const stored = this.deps.events.record({ ...input, enterprise, meter }, by, this.now());
    this.deps.meters.timelines.add(stored);
    if (this.owns(reg.key)) await this.settle(stored.id);
    else this.waiting.add(stored.id); // the owner's poll recomputes it
    return stored;
  }

  async retract(enterprise: string, meter: string, id: number, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const found = this.deps.events.get(id);
    if (!found || found.enterprise !== enterprise || found.meter !== meter) throw new NotFoundError(`meter event ${id}`, { enterprise, meter, id });
    if (found.retractedAt === undefined) {
      this.deps.events.retract(id, by, this.now());
      this.deps.meters.timelines.remove(id);
    } else if (!this.deps.events.isPending(id)) return found; // retracted already: nothing changes
    // Retracted now, or earlier with its recomputation still owed (a retry): the hours follow.
    if (this.owns(reg.key)) await this.settle(id);
    else this.waiting.add(id);
    return this.deps.events.get(id) ?? found;
  }

  /**
   * Applies the rows that other instances recorded, retracted or settled since the last poll, and
   * does the recomputations owed for this instance's meters (also those that failed here). Never
   * throws; resolves when done. Runs every `pollMs` after start(); tests call it directly.
   */
  poll(): Promise<void> {
    if (!this.polling)
      this.polling = this.pollOnce()
        .catch((err: unknown) => this.deps.logger?.error({ err }, 'meter event poll failed'))
        .finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = this.now();
    for (const { event, pending } of this.deps.events.changedSince(this.cursor - POLL_OVERLAP_MS)) {
      const changed = this.apply(event);
      if (pending && this.mine(event)) {
        try {
          await this.settle(event.id);
        } catch (err) {
          this.deps.logger?.warn({ err, event: event.id }, 'meter event: recomputation failed; retried at the next poll');
        }
      } else if (pending) this.waiting.add(event.id);
      else {
        const awaited = this.waiting.delete(event.id);
        if (changed || awaited) this.deps.bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: event.enterprise, from: event.at });
      }
    }
    this.cursor = startedAt;
  }

  /** Makes this instance's timelines hold the event as the store does (in force or retracted); true if they changed. */
  private apply(e: MeterEvent): boolean {
    const held = this.deps.meters.timeline(keyOf(e)).events.some((x) => x.id === e.id);
    const wanted = e.retractedAt === undefined;
    if (held === wanted) return false;
    if (wanted) this.deps.meters.timelines.add(e);
    else this.deps.meters.timelines.remove(e.id);
    return true;
  }

  /** This instance owes the event's recomputation: it writes the meter's hours, and the meter is configured here. */
  private mine(e: MeterEvent): boolean {
    return this.deps.meters.get(keyOf(e)) !== undefined && this.owns(keyOf(e));
  }

  private registered(enterprise: string, meter: string): RegisteredMeter {
    const reg = this.deps.meters.get({ enterprise, meter });
    if (!reg) throw new UnknownMeter(enterprise, meter);
    return reg;
  }

  /** The stored readings next to the event's instant within the segment it cuts (counter meters). */
  private async around(reg: RegisteredMeter, timeline: MeterTimeline, input: MeterEventInput): Promise<ReadingsAround> {
    if (reg.model.kind !== 'counter' || input.type === 'calibration') return {};
    const r = input.at;
    const prevCut = timeline.cutAtOrBefore(r - 1);
    const nextCut = timeline.cutAfter(r);
    const before = await this.deps.store.usableNeighbour(reg.key, r, 'before');
    const after = input.type === 'decommission' ? undefined : await this.deps.store.usableNeighbour(reg.key, r, 'atOrAfter');
    return {
      ...(before && (prevCut === undefined || before.ts >= prevCut) && { before: { ts: before.ts, value: before.value } }),
      ...(after && (nextCut === undefined || after.ts < nextCut) && { after: { ts: after.ts, value: after.value } }),
    };
  }

  /** Recomputes what the event (as the store now has it) changes and clears its mark; one run per event at a time. */
  private settle(id: number): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const run = this.settleNow(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, run);
    return run;
  }

  private async settleNow(id: number): Promise<void> {
    const e = this.deps.events.get(id);
    if (!e) return;
    this.apply(e);
    const retracted = e.retractedAt !== undefined;
    const reg = this.deps.meters.get(keyOf(e));
    if (reg) {
      const current = this.deps.meters.timeline(reg.key);
      const others = current.events.filter((x) => x.id !== id);
      const withIt = retracted ? new MeterTimeline([...others, inForce(e)]) : current;
      const withoutIt = retracted ? current : new MeterTimeline(others);
      await this.follow(reg, e, withIt, withoutIt);
    }
    // Only the state recomputed for: a retraction recorded meanwhile stays owed.
    this.deps.events.settle(id, retracted, this.now());
    this.waiting.delete(id);
  }

  /** Recomputes what the event changes (`withIt` vs `withoutIt`), settles the rollups, announces it. */
  private async follow(reg: RegisteredMeter, e: MeterEvent, withIt: MeterTimeline, withoutIt: MeterTimeline): Promise<void> {
    const range = await this.affected(reg, e, withIt, withoutIt);
    const steps: DataQualityEvent[] = [];
    if (range) {
      await this.deps.tracker.recomputeMeter(reg.key, range.from, range.to, {
        toEnd: range.toEnd,
        stepsAt: e.at,
        onStep: (s) => steps.push(s),
      });
      await this.deps.store.settleRollups();
    }
    if (steps.length > 0) {
      // Contract 4: every reset records a data-quality event, also one onto an event's register.
      this.deps.dataQuality?.recordDataQuality(steps, this.now());
      this.deps.bus.emit('dataQuality', { events: steps });
    }
    this.deps.bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: reg.key.enterprise, from: range?.from ?? e.at });
  }

  /**
   * The data-time span whose hours the event changes; none for a calibration. From the reading (or
   * earlier event) that the pair ending at the event starts at, to the first later event whose
   * multiplier and rollover do not depend on this one (a later replacement that leaves them
   * "unchanged" inherits them), else the end of the meter's data (`toEnd`: the tracker looks up the
   * newest reading once it holds its queue, so a batch in flight is covered).
   */
  private async affected(
    reg: RegisteredMeter,
    e: MeterEvent,
    withIt: MeterTimeline,
    withoutIt: MeterTimeline,
  ): Promise<{ from: number; to: number; toEnd: boolean } | undefined> {
    if (e.type === 'calibration') return undefined;
    const base = reg.model;
    const r = e.at;
    let from: number;
    if (base.kind === 'interval')
      from = r - base.intervalMs; // a reading at r covers the interval before it
    else {
      const prev = await this.deps.store.usableNeighbour(reg.key, r, 'before');
      // A counter's pair ending at r starts at the later of the previous reading and the previous event.
      const prevCut = base.kind === 'counter' ? withoutIt.cutAtOrBefore(r - 1) : undefined;
      from = Math.max(prev?.ts ?? -Infinity, prevCut ?? -Infinity);
      if (!Number.isFinite(from)) from = r;
    }
    const later = withoutIt.cuts().filter((c) => c > r);
    const settled = later.find((c) => sameModel(withIt.modelAt(base, c), withoutIt.modelAt(base, c)));
    if (settled !== undefined) return { from, to: settled, toEnd: false };
    return { from, to: Math.max(r, ...later), toEnd: true };
  }
}
