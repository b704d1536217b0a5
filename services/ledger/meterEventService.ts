/**
 * Records and retracts meter events (contract 8.1) and makes every figure follow: validate, store
 * (never overwriting), update the shared timelines, recompute exactly the hours whose value the
 * event changes from the stored readings, wait for the day rollups, then announce `ledgerChanged`
 * so that status, rules and report revisions run again. At start the events in force are loaded
 * into the timelines; the composition starts this before ingest.
 */
import { AppError, NotFoundError } from '../core/errors';
import type { MeterModel } from '../energy/consumption';
import type { MeterEvent, MeterEventInput } from '../energy/meterEvents';
import type { MeterRegistry, RegisteredMeter } from '../energy/meterRegistry';
import { MeterTimeline, validateMeterEvent } from '../energy/meterTimeline';
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
  readonly tracker: { recomputeMeter(key: MeterKey, from: number, to: number): Promise<number> };
  readonly store: Pick<TimeSeriesStore, 'usableNeighbour' | 'settleRollups'>;
  readonly bus: EventBus;
  readonly now?: () => number;
}

const FAR_FUTURE = 8.64e15;
const sameModel = (a: MeterModel, b: MeterModel): boolean => a.multiplier === b.multiplier && a.rollover === b.rollover;

export class MeterEventService {
  private readonly now: () => number;

  constructor(private readonly deps: MeterEventServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Loads the events in force into the shared timelines (before ingest starts). */
  async start(): Promise<void> {
    this.deps.meters.timelines.set(this.deps.events.active());
  }

  async stop(): Promise<void> {}

  list(enterprise: string, meter: string): MeterEvent[] {
    this.registered(enterprise, meter);
    return this.deps.events.list(enterprise, meter);
  }

  async record(enterprise: string, meter: string, input: MeterEventInput, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const before = this.deps.meters.timeline(reg.key);
    const problems = validateMeterEvent(reg.config, before.events, input, this.now());
    if (problems.length > 0) throw new MeterEventRejected(problems, { enterprise, meter, type: input.type });
    const stored = this.deps.events.record({ ...input, enterprise, meter }, by, this.now());
    this.deps.meters.timelines.add(stored);
    await this.follow(reg, stored, this.deps.meters.timeline(reg.key), before);
    return stored;
  }

  async retract(enterprise: string, meter: string, id: number, by: string): Promise<MeterEvent> {
    const reg = this.registered(enterprise, meter);
    const found = this.deps.events.get(id);
    if (!found || found.enterprise !== enterprise || found.meter !== meter) throw new NotFoundError(`meter event ${id}`, { enterprise, meter, id });
    if (found.retractedAt !== undefined) return found; // retracted already: nothing changes
    const before = this.deps.meters.timeline(reg.key);
    const retracted = this.deps.events.retract(id, by, this.now()) ?? found;
    this.deps.meters.timelines.remove(id);
    await this.follow(reg, found, before, this.deps.meters.timeline(reg.key));
    return retracted;
  }

  private registered(enterprise: string, meter: string): RegisteredMeter {
    const reg = this.deps.meters.get({ enterprise, meter });
    if (!reg) throw new UnknownMeter(enterprise, meter);
    return reg;
  }

  /** Recomputes what the event changes (`withIt` vs `withoutIt`), settles the rollups, announces it. */
  private async follow(reg: RegisteredMeter, e: MeterEvent, withIt: MeterTimeline, withoutIt: MeterTimeline): Promise<void> {
    const range = await this.affected(reg, e, withIt, withoutIt);
    if (range) {
      await this.deps.tracker.recomputeMeter(reg.key, range.from, range.to);
      await this.deps.store.settleRollups();
    }
    this.deps.bus.emit('ledgerChanged', { kind: 'meter-event', enterprise: reg.key.enterprise, from: range?.from ?? e.at });
  }

  /**
   * The data-time span whose hours the event changes; none for a calibration. From the reading (or
   * earlier event) that the pair ending at the event starts at, to the first later event whose
   * multiplier and rollover do not depend on this one (a later replacement that leaves them
   * "unchanged" inherits them), else the end of the meter's data.
   */
  private async affected(
    reg: RegisteredMeter,
    e: MeterEvent,
    withIt: MeterTimeline,
    withoutIt: MeterTimeline,
  ): Promise<{ from: number; to: number } | undefined> {
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
    if (settled !== undefined) return { from, to: settled };
    const last = await this.deps.store.usableNeighbour(reg.key, FAR_FUTURE, 'before');
    return { from, to: Math.max(r, last?.ts ?? r, ...later) };
  }
}
