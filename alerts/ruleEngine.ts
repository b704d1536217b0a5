/**
 * The rules engine: every minute (node-cron, site time zone) one evaluation cycle for all
 * enterprises with a few batched queries; threshold rules also on each stored reading; and a cycle
 * shortly after every recorded ledger fact (contract 8: "the rules run at least once a minute and
 * after every recorded fact"). The evaluation instant is a parameter, so tests are exact.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from '../config/schema';
import type { Reading } from '../services/energy/reading';
import { counterStep } from '../services/energy/consumption';
import { isoInZone } from '../services/energy/time';
import type { Logger } from '../services/core/log';
import type { StatusService } from '../services/figures/statusService';
import type { ProjectFiguresService } from '../services/figures/projectFigures';
import type { BenchmarkFiguresService, ProductBenchmarkAt } from '../services/figures/benchmarkFigures';
import type { AlarmStore } from '../services/store/state/alarmStore';
import type { StateStore } from '../services/store/state/stateStore';
import { meterKeyId, type TimeSeriesStore } from '../services/store/timeSeriesStore';
import type { AlarmTransition } from '../services/energy/alarm';
import type { EventBus } from '../services/events/eventBus';
import type { MeterEvent } from '../services/energy/meterEvents';
import type { MeterRef } from '../services/energy/meterScope';
import { isDecommissioned } from '../services/energy/meterActivity';
import type { AlarmManager } from './alarmManager';
import {
  calibrationCondition,
  dataQualityCondition,
  intensityCondition,
  quotaCondition,
  silenceCondition,
  tariffCondition,
  thresholdCondition,
  type Condition,
  type Language,
} from './conditions';
import { carbonCondition, carbonIntensityCondition, projectCondition } from './carbonConditions';
import { benchmarkCondition } from './benchmarkConditions';

export interface RuleEngineOptions {
  /** node-cron expression of the evaluation cycle (default every minute). */
  readonly schedule?: string;
  /** Data-quality events count for this long (default 24 h). */
  readonly dataQualityWindowMs?: number;
  /** Quarantined messages of one enterprise within this window ... (default 15 min) */
  readonly quarantineBurstWindowMs?: number;
  /** ... at least this many make a data-quality alarm (default 10). */
  readonly quarantineBurstCount?: number;
  /** A threshold alarm clears once values fall below limit x (1 - hysteresis) (default 0.05). */
  readonly thresholdHysteresis?: number;
  /** A cycle runs this long after the last of a burst of ledger changes (default 1,000 ms). */
  readonly ledgerDebounceMs?: number;
}

/** What the rules read of a meter's events (MeterTimeline, services/energy/meterTimeline.ts). */
export interface RuleTimeline {
  readonly decommissionedAt: number | undefined;
  readonly events: readonly MeterEvent[];
}

export class RuleEngine {
  private task: ScheduledTask | undefined;
  /** Cycles and reading-driven evaluations run one after another, never interleaved. */
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly startedAt: number;
  private ledgerTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly options: RuleEngineOptions,
    private readonly deps: {
      config: Config;
      /** Only statusAt is read (a test may give hand-built statuses). */
      status: Pick<StatusService, 'statusAt'>;
      /** Energy-review projects (contract 9.1): `project` alarms when given. */
      projects?: Pick<ProjectFiguresService, 'projectsAt'>;
      /** Benchmark levels (contract 10): `benchmark` alarms per product when given. */
      benchmark?: Pick<BenchmarkFiguresService, 'benchmarkAt'>;
      store: TimeSeriesStore;
      state: StateStore;
      alarms: AlarmStore;
      manager: AlarmManager;
      logger: Logger;
      now?: () => number;
      /** Scheduled and reading-driven evaluation run only while this says so (the lease, services/store/state/lease.ts); default always. */
      active?: () => boolean;
      /** The meter events in force (MeterTimelines): decommissions stop silence, calibrations raise their alarm. */
      timelines?: { of(key: MeterRef): RuleTimeline };
      /** `ledgerChanged` on this bus runs a (debounced) cycle. */
      events?: EventBus;
    },
  ) {
    this.startedAt = this.now();
  }

  async start(): Promise<void> {
    this.task = cron.schedule(
      this.options.schedule ?? '* * * * *',
      () => {
        // A standby instance leaves the cycle to the lease holder: one writer of alarms and mail.
        if (this.deps.active && !this.deps.active()) return;
        void this.evaluate().catch((err: unknown) => this.deps.logger.error({ err }, 'rule evaluation failed'));
      },
      { timezone: this.deps.config.timezone },
    );
    this.unsubscribe = this.deps.events?.on('ledgerChanged', () => this.onLedgerChanged());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.ledgerTimer) clearTimeout(this.ledgerTimer);
    this.ledgerTimer = undefined;
    await this.task?.stop();
    this.task = undefined;
    await this.chain;
  }

  /**
   * A recorded or retracted fact (meter event, monthly statistics, parameters): one cycle after a
   * short quiet time, so an import of a hundred months runs one cycle, not a hundred.
   */
  onLedgerChanged(): void {
    if (this.stopped) return;
    if (this.ledgerTimer) clearTimeout(this.ledgerTimer);
    this.ledgerTimer = setTimeout(() => {
      this.ledgerTimer = undefined;
      if (this.deps.active && !this.deps.active()) return;
      this.evaluate().catch((err: unknown) => this.deps.logger.error({ err }, 'rule evaluation after a ledger change failed'));
    }, this.options.ledgerDebounceMs ?? 1_000);
  }

  /** One full cycle at `at`; open alarms whose key no rule produces any more (a removed meter or rule) clear. */
  evaluate(at = this.now()): Promise<AlarmTransition[]> {
    return this.serial(async () => this.cycle(at));
  }

  /** Threshold rules of the meters these readings belong to (contract: also on each reading). */
  onReadings(readings: readonly Reading[], at = this.now()): Promise<AlarmTransition[]> {
    const touched = new Set(readings.map((r) => `${r.enterprise}/${r.meter}`));
    const rules = this.deps.config.rules.thresholds.filter((t) => touched.has(`${t.enterprise}/${t.meter}`));
    // On a standby the holder's minute cycle evaluates these thresholds too.
    if (rules.length === 0 || (this.deps.active && !this.deps.active())) return Promise.resolve([]);
    return this.serial(async () => this.deps.manager.apply(await this.thresholdConditions(rules, at), at));
  }

  private serial(work: () => Promise<AlarmTransition[]>): Promise<AlarmTransition[]> {
    if (this.stopped) return Promise.resolve([]);
    const result = this.chain.then(work);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async cycle(at: number): Promise<AlarmTransition[]> {
    const started = Date.now();
    const { config } = this.deps;
    const lang: Language = config.notify.language;
    // Memoised for the cycle: ~13,000 conditions format a few instants each, mostly the same ones
    // (now, the window start, a round's timestamp), and luxon was a fifth of the cycle's CPU.
    const isoCache = new Map<number, string>();
    const zoneIso = (ms: number): string => {
      let iso = isoCache.get(ms);
      if (iso === undefined) isoCache.set(ms, (iso = isoInZone(ms, config.timezone)));
      return iso;
    };
    const names = new Map(config.enterprises.map((e) => [e.id, e.name]));
    const name = (id: string): string => names.get(id) ?? id;
    const conditions: Condition[] = [];

    const withProjects = config.enterprises.filter((e) => e.projects.length > 0);
    const benchmark = this.deps.benchmark;
    const [statuses, latest, projects, benchmarks] = await Promise.all([
      this.deps.status.statusAt(config.enterprises, at),
      this.deps.store.latest(config.enterprises.map((e) => e.id)),
      this.deps.projects && withProjects.length > 0 ? this.deps.projects.projectsAt(withProjects, at) : undefined,
      benchmark
        ? Promise.all(config.enterprises.map(async (e): Promise<[string, ProductBenchmarkAt[]]> => [e.id, await benchmark.benchmarkAt(e, at)]))
        : [],
    ]);
    const basis = this.deps.config.electricity === 'equal' ? '电力等价值 (equal value)' : '电力当量值 0.1229 kgce/kWh (GB/T 2589-2020)';
    for (const s of statuses.values()) {
      conditions.push(
        quotaCondition(s, name(s.enterprise), lang, basis),
        intensityCondition(s, name(s.enterprise), lang, basis),
        tariffCondition(s, name(s.enterprise), lang),
        carbonCondition(s, name(s.enterprise), lang),
        carbonIntensityCondition(s, name(s.enterprise), lang),
      );
    }
    for (const ps of projects?.values() ?? [])
      for (const p of ps.projects) conditions.push(projectCondition(ps.enterprise, p, name(ps.enterprise), lang));
    for (const [id, products] of benchmarks)
      for (const p of products) conditions.push(benchmarkCondition(id, p, name(id), lang, at, config.timezone));

    const lastTs = new Map(latest.map((l) => [`${l.enterprise}/${l.meter}`, l.lastTs]));
    for (const e of config.enterprises) {
      for (const m of e.meters) {
        const timeline = this.deps.timelines?.of({ enterprise: e.id, meter: m.id });
        const calibration = timeline && latestCalibration(timeline);
        const decommissioned = timeline !== undefined && isDecommissioned(timeline, at);
        if (calibration)
          conditions.push(
            calibrationCondition(
              {
                enterprise: e.id,
                meter: m.id,
                name: e.name,
                validUntil: calibration.validUntil,
                certificate: calibration.certificate,
                decommissioned,
                now: at,
                zone: config.timezone,
              },
              lang,
            ),
          );
        // A decommissioned meter is expected to be silent (contract 8.1); its open alarm clears.
        if (decommissioned) continue;
        conditions.push(
          silenceCondition(
            {
              enterprise: e.id,
              meter: m.id,
              name: e.name,
              intervalSeconds: m.intervalSeconds,
              multiple: config.rules.silenceMultiple,
              lastTs: lastTs.get(`${e.id}/${m.id}`),
              since: this.startedAt,
              now: at,
            },
            lang,
            zoneIso,
          ),
        );
      }
    }

    conditions.push(...(await this.thresholdConditions(config.rules.thresholds, at)));
    conditions.push(...(await this.dataQualityConditions(at, statuses, name, lang, zoneIso)));

    const transitions = await this.deps.manager.apply(conditions, at, { complete: true });
    this.deps.logger.debug(
      { at: zoneIso(at), conditions: conditions.length, transitions: transitions.length, ms: Date.now() - started },
      'rules evaluated',
    );
    return transitions;
  }

  private async thresholdConditions(rules: Config['rules']['thresholds'], at: number): Promise<Condition[]> {
    const { config, store } = this.deps;
    const lang: Language = config.notify.language;
    const byMeter = new Map<string, Config['rules']['thresholds']>();
    for (const r of rules) byMeter.set(`${r.enterprise}/${r.meter}`, [...(byMeter.get(`${r.enterprise}/${r.meter}`) ?? []), r]);
    const out: Condition[] = [];
    for (const group of byMeter.values()) {
      const e = config.enterprises.find((x) => x.id === group[0]!.enterprise);
      const m = e?.meters.find((x) => x.id === group[0]!.meter);
      if (!e || !m) continue;
      const key = { enterprise: e.id, meter: m.id };
      const from = at - Math.max(...group.map((r) => r.forSeconds)) * 1000;
      // From the last reading at or before the window start (one more for a counter's first step).
      let start = await store.usableNeighbour(key, from + 1, 'before');
      if (start && m.kind === 'counter') start = (await store.usableNeighbour(key, start.ts, 'before')) ?? start;
      const readings = (await store.readings(key, start?.ts ?? from, at + 1)).filter((r) => r.quality !== 'bad');
      const values =
        m.kind === 'counter'
          ? // A counter's value is its consumption per reading interval: the step x the multiplier.
            readings.slice(1).map((r, i) => ({ ts: r.ts, value: counterStep(readings[i]!.value, r.value, m.rollover).step * m.multiplier }))
          : readings.map((r) => ({ ts: r.ts, value: r.value * m.multiplier }));
      const open = await this.deps.alarms.open('threshold', e.id, m.id);
      out.push(
        thresholdCondition(
          {
            enterprise: e.id,
            meter: m.id,
            name: e.name,
            unit: m.kind === 'counter' ? `${m.unit}/${m.intervalSeconds} s` : m.unit,
            limits: group,
            hysteresis: this.options.thresholdHysteresis ?? 0.05,
            openSeverity: open?.severity ?? null,
            at,
          },
          values,
          lang,
          (ms) => isoInZone(ms, config.timezone),
        ),
      );
    }
    return out;
  }

  private async dataQualityConditions(
    at: number,
    statuses: Awaited<ReturnType<StatusService['statusAt']>>,
    name: (id: string) => string,
    lang: Language,
    zoneIso: (ms: number) => string,
  ): Promise<Condition[]> {
    const { config, state } = this.deps;
    const windowFrom = at - (this.options.dataQualityWindowMs ?? 24 * 3_600_000);
    const events = new Map<string, Record<string, number>>();
    for (const ev of await state.dataQualityCounts(windowFrom, at)) {
      const key = meterKeyId(ev.enterprise, ev.meter);
      events.set(key, { ...events.get(key), [ev.kind]: ev.n });
    }
    const burstFrom = at - (this.options.quarantineBurstWindowMs ?? 15 * 60_000);
    const bursts = new Map((await state.quarantineCounts(burstFrom, at)).map((q) => [q.enterprise, q.n]));
    const out: Condition[] = [];
    for (const e of config.enterprises) {
      for (const m of e.meters) {
        const counts = events.get(meterKeyId(e.id, m.id)) ?? {};
        out.push(dataQualityCondition({ enterprise: e.id, meter: m.id, name: e.name, counts, windowFrom, now: at }, lang, zoneIso));
      }
      const counts: Record<string, number> = {};
      const burst = bursts.get(e.id) ?? 0;
      if (burst >= (this.options.quarantineBurstCount ?? 10)) counts.quarantined = burst;
      if (statuses.get(e.id)?.tariff?.note === 'no-output') counts['no-output'] = 1;
      out.push(
        dataQualityCondition(
          { enterprise: e.id, meter: null, name: name(e.id), counts, windowFrom: counts.quarantined ? burstFrom : windowFrom, now: at },
          lang,
          zoneIso,
        ),
      );
    }
    return out;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }
}

/**
 * The calibration in force: the latest by data time (then by id). A later certificate replaces an
 * earlier one whatever its date, as the newer 检定证书 is the one on the meter.
 */
function latestCalibration(timeline: RuleTimeline): Extract<MeterEvent, { type: 'calibration' }> | undefined {
  let found: Extract<MeterEvent, { type: 'calibration' }> | undefined;
  for (const e of timeline.events) {
    if (e.type !== 'calibration' || e.retractedAt !== undefined) continue;
    if (!found || e.at > found.at || (e.at === found.at && e.id > found.id)) found = e;
  }
  return found;
}
