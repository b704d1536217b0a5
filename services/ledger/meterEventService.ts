/**
 * Records and retracts meter events (contract 8.1) and makes every figure follow: validate (also
 * against the stored readings next to the event), store (never overwriting) with a durable
 * "recomputation owed" mark, update the shared timelines, recompute exactly the hours whose value
 * the event changes from the stored readings (inside the tracker's queue), wait for the day
 * rollups, clear the mark, then announce `ledgerChanged` so that status, rules and report revisions
 * run again.
 *
 * A recomputation that fails leaves the mark: a retry of the same request, or the poll, which goes
 * through every pending row of this instance's meters (backing off after failures), finishes it.
 * start() loads the events in force into the timelines (synchronously; the composition starts this
 * before ingest) and leaves the owed recomputations to the poll, in the background: a hanging
 * InfluxDB does not hold up start-up. stop() waits for the recomputations running.
 *
 * record() and retract() run one at a time per meter (validation sees the previous request's
 * event); the store checks again, inside the insert's transaction, against the events that
 * the state database holds (other instances' too).
 *
 * Several instances over one state database (README "Scale-out"): each polls the event store every
 * `pollMs` for rows recorded, retracted or settled by the others and applies them to its own
 * timelines (pricing, decommission quarantine, calibration alarms). Only the instance that writes
 * the meter's hours (`owns`: its ingest shard) recomputes them; the others announce the change once
 * the owner has cleared the mark. docs/ledger/meter-events.md, "Several instances".
 */
import { NotFoundError } from '../core/errors';
import type { Logger } from '../core/log';
import type { MeterModel } from '../energy/consumption';
import type { DataQualityEvent } from '../energy/dataQuality';
import type { MeterEvent, MeterEventInput } from '../energy/meterEvents';
import type { MeterRegistry, RegisteredMeter } from '../energy/meterRegistry';
import { MeterTimeline, readingProblems, validateMeterEvent, type ReadingsAround } from '../energy/meterTimeline';
import type { EventBus } from '../events/eventBus';
import type { MeterEventStore } from '../store/state/meterEventStore';
import { meterKeyId, type MeterKey, type TimeSeriesStore } from '../store/timeSeriesStore';

import { MeterEventRejected, UnknownMeter } from './meterEventErrors';

export { MeterEventRejected, UnknownMeter };

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
  readonly dataQuality?: { recordDataQuality(events: readonly DataQualityEvent[], at: number): Promise<void> };
  /** How often the event store is polled for other instances' changes, ms; 0: never. Default 2,000. */
  readonly pollMs?: number;
  readonly logger?: Logger;
}

const DEFAULT_POLL_MS = 2_000;
/** Each poll reads again the rows changed this long before the previous one (commits in flight, clock steps). */
const POLL_OVERLAP_MS = 60_000;
/** After the poll's recomputation of an event fails, the next try waits this long, doubling per failure up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;
const sameModel = (a: MeterModel, b: MeterModel): boolean => a.multiplier === b.multiplier && a.rollover === b.rollover;
const keyOf = (e: { enterprise: string; meter: string }): MeterKey => ({ enterprise: e.enterprise, meter: e.meter });
const laneOf = (e: { enterprise: string; meter: string }): string => meterKeyId(e.enterprise, e.meter);

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
  /** The poll's failed recomputations: how many in a row, and when it may try again (backoff). */
  private readonly retries = new Map<number, { failures: number; at: number }>();
  /** Meters whose owed recomputations the poll is working through (one run per meter at a time). */
  private readonly catchingUp = new Map<string, Promise<void>>();
  /** Polls running: with the async store a poll reads its rows before it registers any run. */
  private readonly polls = new Set<Promise<void>>();
  /** record()/retract() of one meter, one at a time: the tail of each meter's chain. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: MeterEventServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.owns = deps.owns ?? (() => true);
  }

  /**
   * Loads the events in force into the shared timelines (before ingest starts), then polls: the
   * first poll, started here and not awaited, does the recomputations owed for this instance's
   * meters in the background (settled() waits for them).
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    const active = await this.deps.events.active();
    if (this.stopped) return; // stopped while reading: no timer to leave behind
    this.deps.meters.timelines.set(active);
    this.cursor = this.now();
    void this.poll();
    const pollMs = this.deps.pollMs ?? DEFAULT_POLL_MS;
    if (pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), pollMs);
      this.timer.unref();
    }
  }

  /** Stops polling (for good: a later start() does nothing) and waits for the recomputations running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.settled();
  }

  /** Resolves once no recomputation runs here (those the poll started in the background, and the requests'). */
  async settled(): Promise<void> {
    while (this.polls.size > 0 || this.inFlight.size > 0 || this.catchingUp.size > 0) {
      await Promise.allSettled([...this.polls, ...this.inFlight.values(), ...this.catchingUp.values()]);
    }
  }

  async list(enterprise: string, meter: string): Promise<MeterEvent[]> {
    this.registered(enterprise, meter);
    return this.deps.events.list(enterprise, meter);
  }

  async record(enterprise: string, meter: string, input: MeterEventInput, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const stored = await this.serial(reg.key, async () => {
      const before = this.deps.meters.timeline(reg.key);
      // A retry of an event whose recomputation failed (or a request sent twice while the first
      // still recomputes): finish that, rather than refuse or store a duplicate.
      for (const e of before.events) if (factsOf(e) === factsOf(input) && (await this.deps.events.isPending(e.id))) return { event: e, retry: true };
      const problems = validateMeterEvent(reg.config, before.events, input, this.now());
      if (Number.isFinite(input.at)) problems.push(...readingProblems(reg.config, before.events, input, await this.around(reg, before, input)));
      if (problems.length > 0) throw new MeterEventRejected(problems, { enterprise, meter, type: input.type });
      // Again right before inserting, in its transaction, against state.db (other instances' events too).
      const event = await this.deps.events.record({ ...input, enterprise, meter }, by, this.now(), (inForce) => {
        const again = validateMeterEvent(reg.config, inForce, input, this.now());
        if (again.length > 0) throw new MeterEventRejected(again, { enterprise, meter, type: input.type });
      });
      this.deps.meters.timelines.add(event);
      return { event, retry: false };
    });
    if (stored.retry) {
      if (this.owns(reg.key)) await this.settle(stored.event.id);
      return (await this.deps.events.get(stored.event.id)) ?? stored.event;
    }
    if (this.owns(reg.key)) await this.settle(stored.event.id);
    else this.waiting.add(stored.event.id); // the owner's poll recomputes it
    return stored.event;
  }

  async retract(enterprise: string, meter: string, id: number, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const found = await this.serial(reg.key, async () => {
      const row = await this.deps.events.get(id);
      if (!row || row.enterprise !== enterprise || row.meter !== meter) throw new NotFoundError(`meter event ${id}`, { enterprise, meter, id });
      if (row.retractedAt === undefined) {
        await this.deps.events.retract(id, by, this.now());
        this.deps.meters.timelines.remove(id);
        return { row, owed: true };
      }
      return { row, owed: await this.deps.events.isPending(id) }; // retracted already: nothing changes unless still owed
    });
    if (!found.owed) return found.row;
    // Retracted now, or earlier with its recomputation still owed (a retry): the hours follow. A
    // run in flight (computed for the event in force) is followed by a new one, not reused.
    if (this.owns(reg.key)) await this.settle(id, { afterRunning: true });
    else this.waiting.add(id);
    return (await this.deps.events.get(id)) ?? found.row;
  }

  /**
   * Applies the rows that other instances recorded, retracted or settled since the last poll, and
   * starts the recomputations owed for this instance's meters: every pending row of its meters not
   * being recomputed already (also those that failed here, whenever they last changed), after a
   * failure not before its backoff. Never throws; resolves when the recomputations it started are
   * done (a hanging one does not hold up the next poll, which skips it). Runs every `pollMs` after
   * start(); tests call it directly.
   */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run: Promise<void> = this.pollOnce()
      .catch((err: unknown) => this.deps.logger?.error({ err }, 'meter event poll failed'))
      .finally(() => this.polls.delete(run));
    this.polls.add(run);
    return run;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = this.now();
    for (const { event, pending } of await this.deps.events.changedSince(this.cursor - POLL_OVERLAP_MS)) {
      const changed = this.apply(event);
      if (pending) continue; // the pending rows below
      const awaited = this.waiting.delete(event.id);
      if (changed || awaited) this.deps.bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: event.enterprise, from: event.at });
    }
    this.cursor = startedAt;

    const owed = new Map<string, MeterEvent[]>();
    for (const event of await this.deps.events.pending()) {
      this.apply(event);
      if (!this.mine(event)) {
        this.waiting.add(event.id);
        continue;
      }
      const retry = this.retries.get(event.id);
      if (this.inFlight.has(event.id) || (retry && startedAt < retry.at)) continue;
      const lane = laneOf(event);
      if (this.catchingUp.has(lane)) continue;
      owed.set(lane, [...(owed.get(lane) ?? []), event]);
    }
    const runs: Promise<void>[] = [];
    for (const [lane, list] of owed) {
      const run = this.catchUp(list).finally(() => this.catchingUp.delete(lane));
      this.catchingUp.set(lane, run);
      runs.push(run);
    }
    await Promise.all(runs);
  }

  /** The owed recomputations of one meter, in data-time order; a failure backs that event off. */
  private async catchUp(list: readonly MeterEvent[]): Promise<void> {
    for (const event of list) {
      try {
        await this.settle(event.id);
      } catch (err) {
        const failures = (this.retries.get(event.id)?.failures ?? 0) + 1;
        const wait = Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
        this.retries.set(event.id, { failures, at: this.now() + wait });
        this.deps.logger?.warn({ err, event: event.id, failures, retryInMs: wait }, 'meter event: recomputation failed; retried by the poll');
      }
    }
  }

  /** Runs `fn` after the meter's previous record()/retract() has finished (whatever its outcome). */
  private serial<T>(key: MeterKey, fn: () => Promise<T>): Promise<T> {
    const lane = laneOf(key);
    const run = (this.lanes.get(lane) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.lanes.set(lane, tail);
    void tail.then(() => {
      if (this.lanes.get(lane) === tail) this.lanes.delete(lane);
    });
    return run;
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

  /**
   * Recomputes what the event (as the store has it when the run starts) changes and clears its
   * mark; one run per event at a time. A run in flight is reused, unless `afterRunning` (the event
   * changed since it started: a retraction): then a new run follows it.
   */
  private settle(id: number, options: { afterRunning?: boolean } = {}): Promise<void> {
    const running = this.inFlight.get(id);
    if (running && !options.afterRunning) return running;
    const run = (running ? running.catch(() => undefined) : Promise.resolve())
      .then(() => this.settleNow(id))
      .finally(() => {
        if (this.inFlight.get(id) === run) this.inFlight.delete(id);
      });
    this.inFlight.set(id, run);
    return run;
  }

  private async settleNow(id: number): Promise<void> {
    const e = await this.deps.events.get(id);
    if (!e || !(await this.deps.events.isPending(id))) return; // settled meanwhile (e.g. by the run before)
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
    await this.deps.events.settle(id, retracted, this.now());
    this.waiting.delete(id);
    this.retries.delete(id);
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
      await this.deps.dataQuality?.recordDataQuality(steps, this.now());
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
