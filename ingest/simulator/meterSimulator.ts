/**
 * Meter simulator for the demo: one MQTT client per enterprise (username = enterprise id, like a
 * plant's collection gateway), QoS 1, publishing the configured meters on the contract's topics
 * (contract 2). On start it catches up on `backfillHours` of history as arrays, as a gateway does
 * after an outage, then publishes each meter live on its interval grid.
 *
 * Values are pure functions of time (see MeterModel), so restarts continue the same registers and
 * resends are true duplicates. Transport faults and payload variants use the injected `random`;
 * with `now` and `random` fixed, the published stream is reproducible.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DateTime } from 'luxon';
import type { Config, EnterpriseConfig } from '../../config/schema';
import type { Logger } from '../../services/core/log';
import { AnomalyInjector, type SimEvent, type SimReading } from './anomalies';
import { MeterModel, type ScriptedChange } from './meterModel';
import { HOUR_MS } from './profiles';
import { WireFormatter, type Outgoing } from './wire';
import { projectWindow } from '../../services/energy/projectWindow';

export interface MeterSimulatorOptions {
  readonly config: Config;
  readonly mqttUrl: string;
  readonly passwordFor: (enterpriseId: string) => string;
  /** History sent on start, in hours (default 48). */
  readonly backfillHours?: number;
  /** Clock, epoch ms (default Date.now). */
  readonly now?: () => number;
  /** Random source in [0, 1) for faults and payload variants (default Math.random). */
  readonly random?: () => number;
  /** Inject meter replacements, gaps, late batches, duplicates and invalid messages (default true). */
  readonly anomalies?: boolean;
  /**
   * Before the backfill, send each counter's register at every local midnight from 1 January, so that
   * year-to-date quota and tariff figures have a whole year behind them (default false).
   */
  readonly seedYearToDate?: boolean;
  /**
   * With seedYearToDate: start the midnight registers at 1 January of the previous year instead, so
   * that year-on-year figures (同比, 去年同月) have a year behind them (issue 21; default false).
   */
  readonly seedPreviousYear?: boolean;
  /** Replacements and CT changes the ledger records for some meters, by `enterprise/meter` (the demo script). */
  readonly changes?: ReadonlyMap<string, readonly ScriptedChange[]>;
}

export interface MeterSimulatorDeps {
  readonly logger: Logger;
}

export const DEFAULT_BACKFILL_HOURS = 48;
/** Hours of history per catch-up array. */
export const BACKFILL_BLOCK_HOURS = 6;
/** Share of message groups sent on the multi-meter topic `energy/{enterpriseId}` instead. */
const MULTI_TOPIC_SHARE = { backfill: 0.2, live: 0.3 } as const;
/** The client retries a refused socket (broker not up yet) this often, in ms. */
const RECONNECT_PERIOD_MS = 2000;

interface Slot {
  readonly model: MeterModel;
  readonly injector: AnomalyInjector;
  /** Next grid instant to publish live (epoch ms). */
  nextDue: number;
}

interface Plant {
  readonly enterprise: EnterpriseConfig;
  readonly slots: readonly Slot[];
  client?: MqttClient;
}

export class MeterSimulator {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backfillHours: number;
  private readonly plants: readonly Plant[];
  private readonly wire: WireFormatter;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly options: MeterSimulatorOptions,
    deps: MeterSimulatorDeps,
  ) {
    this.log = deps.logger.child({ component: 'meter-simulator' });
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.backfillHours = options.backfillHours ?? DEFAULT_BACKFILL_HOURS;
    const zone = options.config.timezone;
    // Profiles follow local time at a fixed offset: right for Asia/Shanghai (no daylight saving).
    const utcOffsetMs = DateTime.fromMillis(this.now(), { zone }).offset * 60_000;
    const anomalies = options.anomalies ?? true;
    this.plants = options.config.enterprises.map((enterprise) => ({
      enterprise,
      slots: enterprise.meters.map((meter) => ({
        model: new MeterModel({ enterprise, meter, utcOffsetMs, resets: anomalies, changes: options.changes?.get(`${enterprise.id}/${meter.id}`) }),
        injector: new AnomalyInjector(meter.intervalSeconds, this.random, anomalies),
        nextDue: Number.POSITIVE_INFINITY,
      })),
    }));
    this.wire = new WireFormatter(zone, this.random);
  }

  /** Connects every gateway, publishes the backfill (acknowledged), then goes live. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the meter simulator was already started');
    this.started = true;
    await Promise.all(this.plants.map((plant) => this.connect(plant)));
    const now = this.now();
    const sent = await Promise.all(this.plants.map((plant) => this.backfill(plant, now)));
    if (this.stopped) return;
    for (const plant of this.plants) {
      for (const slot of plant.slots) slot.nextDue = (Math.floor(now / slot.model.intervalMs) + 1) * slot.model.intervalMs;
    }
    this.log.info(
      { messages: sent.reduce((a, b) => a + b, 0), backfillHours: this.backfillHours, enterprises: this.plants.length },
      'backfill published; publishing live',
    );
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(
      this.plants.map(async (plant) => {
        const client = plant.client;
        plant.client = undefined;
        // A connected client flushes its in-flight QoS 1 messages first; one still connecting is cut off.
        if (client)
          await client
            .endAsync(!client.connected)
            .catch((err: unknown) => this.log.warn({ err, enterprise: plant.enterprise.id }, 'closing the gateway connection failed'));
      }),
    );
  }

  private connect(plant: Plant): Promise<void> {
    const id = plant.enterprise.id;
    const client = mqtt.connect(this.options.mqttUrl, {
      username: id,
      password: this.options.passwordFor(id),
      clientId: `energy-sim-${id}`,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      clean: true,
    });
    plant.client = client;
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        client.off('error', onError);
        client.on('error', (err) => this.log.warn({ err, enterprise: id }, 'gateway connection error'));
        resolve();
      };
      const onError = (err: Error & { code?: string | number }): void => {
        // A numeric code is the broker's CONNACK refusal (bad credentials): retrying will not help.
        if (typeof err.code === 'number') {
          client.off('connect', onConnect);
          client.end(true);
          reject(new Error(`broker refused gateway ${id}: ${err.message}`));
        } else {
          this.log.warn({ err: err.message, enterprise: id, url: this.options.mqttUrl }, 'broker not reachable yet; retrying');
        }
      };
      client.once('connect', onConnect);
      client.on('error', onError);
    });
  }

  /** Seeds, history in blocks, then whatever the faults withheld; returns the number of messages. */
  private async backfill(plant: Plant, now: number): Promise<number> {
    const from = now - this.backfillHours * HOUR_MS;
    const blockMs = BACKFILL_BLOCK_HOURS * HOUR_MS;
    const blockCount = Math.max(1, Math.ceil((now - from) / blockMs));
    const blocks = Array.from({ length: blockCount }, () => ({ readings: new Map<Slot, SimReading[]>(), extra: [] as Outgoing[] }));
    const blockOf = (ts: number): { readings: Map<Slot, SimReading[]>; extra: Outgoing[] } => {
      const block = blocks[Math.max(0, Math.min(blockCount - 1, Math.floor((ts - from - 1) / blockMs)))];
      if (!block) throw new Error('backfill block out of range');
      return block;
    };
    for (const slot of plant.slots) {
      const step = slot.model.intervalMs;
      for (let ts = (Math.floor(from / step) + 1) * step; ts <= now; ts += step) {
        const block = blockOf(ts);
        this.collect(plant, slot, slot.injector.next({ ts, value: slot.model.valueAt(ts) }), block.readings, block.extra);
      }
      // A gateway's catch-up ends with everything it held back.
      const last = blockOf(now);
      this.collect(plant, slot, slot.injector.flush(), last.readings, last.extra);
    }
    const messages = this.options.seedYearToDate ? this.seedMessages(plant, from) : [];
    for (const block of blocks) messages.push(...this.group(plant, block.readings, MULTI_TOPIC_SHARE.backfill, true), ...block.extra);
    const client = plant.client;
    if (!client || this.stopped) return 0;
    // Published in order on one connection; QoS 1, so resolved once the broker has them.
    await Promise.all(messages.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
    return messages.length;
  }

  /**
   * One register per local midnight from 1 January (of the previous year with seedPreviousYear) to
   * the backfill, per counter (one array each),
   * plus the two readings around each meter replacement: with daily readings alone the service
   * would lose up to a day's consumption at every reset (contract 4: the step is the new register).
   * A meter of an energy-review project starts at its project's window instead when that is earlier
   * (contract 9.1: up to 12 months back), so the annualised project figure has its whole window.
   */
  private seedMessages(plant: Plant, before: number): Outgoing[] {
    const zone = this.options.config.timezone;
    const yearStart = DateTime.fromMillis(before, { zone })
      .startOf('year')
      .minus({ years: this.options.seedPreviousYear ? 1 : 0 });
    const out: Outgoing[] = [];
    for (const slot of plant.slots) {
      const model = slot.model;
      if (model.kind !== 'counter') continue;
      const start = seedStart(plant.enterprise, model.meter.id, yearStart, before, zone);
      const times = new Set<number>();
      for (let day = start; day.toMillis() < before; day = day.plus({ days: 1 })) times.add(day.toMillis());
      for (const reset of [...model.resetsBetween(start.toMillis(), before), ...model.changesBetween(start.toMillis(), before)]) {
        times.add(reset);
        if (reset + model.intervalMs < before) times.add(reset + model.intervalMs);
      }
      const readings = [...times].sort((a, b) => a - b).map((ts) => ({ ts, value: model.valueAt(ts) }));
      if (readings.length > 0) out.push(this.wire.meterMessage(plant.enterprise.id, model.meter, readings, true, false));
    }
    return out;
  }

  /** Sorts a meter's events: ordinary readings to be batched, everything else as its own message. */
  private collect(plant: Plant, slot: Slot, events: readonly SimEvent[], readings: Map<Slot, SimReading[]>, extra: Outgoing[]): void {
    const id = plant.enterprise.id;
    const meter = slot.model.meter;
    for (const e of events) {
      if (e.kind === 'reading') {
        const list = readings.get(slot) ?? [];
        list.push(e.reading);
        readings.set(slot, list);
      } else if (e.kind === 'duplicate') {
        // Same unit as before, so the resend carries the identical value.
        extra.push(this.wire.meterMessage(id, meter, [e.reading], false, false));
      } else if (e.kind === 'late') {
        extra.push(this.wire.meterMessage(id, meter, e.readings, true));
      } else {
        extra.push(this.wire.invalidMessage(id, meter, e.reading, e.flaw));
      }
    }
  }

  /** Ordinary readings as messages: all together on the multi-meter topic, or per meter. */
  private group(plant: Plant, readings: Map<Slot, SimReading[]>, multiShare: number, asArray: boolean): Outgoing[] {
    const id = plant.enterprise.id;
    if (readings.size >= 2 && this.random() < multiShare) {
      const entries = [...readings].flatMap(([slot, list]) => list.map((reading) => ({ meter: slot.model.meter, reading })));
      return [this.wire.multiMessage(id, entries)];
    }
    return [...readings].map(([slot, list]) => this.wire.meterMessage(id, slot.model.meter, list, asArray));
  }

  private schedule(): void {
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    for (const plant of this.plants) for (const slot of plant.slots) next = Math.min(next, slot.nextDue);
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - this.now()));
  }

  /** Publishes every reading that has come due (several per meter after a stall, as an array). */
  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const t = this.now();
    for (const plant of this.plants) {
      const readings = new Map<Slot, SimReading[]>();
      const extra: Outgoing[] = [];
      for (const slot of plant.slots) {
        for (; slot.nextDue <= t; slot.nextDue += slot.model.intervalMs) {
          this.collect(plant, slot, slot.injector.next({ ts: slot.nextDue, value: slot.model.valueAt(slot.nextDue) }), readings, extra);
        }
      }
      for (const m of [...this.group(plant, readings, MULTI_TOPIC_SHARE.live, false), ...extra]) this.publishLive(plant, m);
    }
    this.schedule();
  }

  private publishLive(plant: Plant, message: Outgoing): void {
    const client = plant.client;
    if (!client) return;
    // Offline, mqtt.js queues QoS 1 messages and sends them on reconnect; a failure is only logged.
    client.publishAsync(message.topic, message.payload, { qos: 1 }).catch((err: unknown) => {
      if (!this.stopped) this.log.warn({ err, topic: message.topic }, 'publish failed');
    });
  }
}

/** 1 January, or the start of the window of the project the meter belongs to when that is earlier. */
function seedStart(enterprise: EnterpriseConfig, meter: string, yearStart: DateTime, before: number, zone: string): DateTime {
  const project = enterprise.projects.find((p) => p.meters.includes(meter));
  if (!project) return yearStart;
  const from = projectWindow(before, project.operatingFrom, zone).start;
  return from < yearStart.toMillis() ? DateTime.fromMillis(from, { zone }).startOf('day') : yearStart;
}
