/**
 * At start, the stored meters against the configuration (contract 8.1: "a meter that has history
 * must be decommissioned, not deleted from the configuration: at start the service lists stored
 * meters that the configuration no longer has"), and each meter's multiplier, rollover and kind
 * against the ones it had when its history began (a YAML edit would re-price old hours). Both are
 * logged and shown in /healthz's detail; neither stops the service.
 */
import type { Config } from '../../config/schema';
import type { Logger } from '../core/log';
import type { MeterBaseline, MeterBaselineStore } from '../store/state/meterBaselineStore';
import type { LatestReading, TimeSeriesStore } from '../store/timeSeriesStore';

/** A configured meter whose arithmetic parameters differ from those its history began with. */
export interface MeterDrift {
  /** `enterprise/meter`. */
  readonly meter: string;
  readonly changed: string[];
}

/** `enterprise/meter` of every stored meter the configuration does not have, sorted. */
export function orphanedMeters(stored: readonly Pick<LatestReading, 'enterprise' | 'meter'>[], config: Config): string[] {
  const configured = new Set(config.enterprises.flatMap((e) => e.meters.map((m) => `${e.id}/${m.id}`)));
  return [...new Set(stored.map((s) => `${s.enterprise}/${s.meter}`))].filter((k) => !configured.has(k)).sort();
}

type Params = Omit<MeterBaseline, 'firstSeenAt'>;

/** The configured parameters of every meter with history, as a baseline row. */
function configuredParams(config: Config, withHistory: ReadonlySet<string>): Params[] {
  return config.enterprises.flatMap((e) =>
    e.meters
      .filter((m) => withHistory.has(`${e.id}/${m.id}`))
      .map((m) => ({ enterprise: e.id, meter: m.id, kind: m.kind, multiplier: m.multiplier, rollover: m.rollover ?? null })),
  );
}

/** Each configured meter whose kind, multiplier or rollover differs from its remembered baseline. */
export function meterDrift(current: readonly Params[], baselines: readonly MeterBaseline[]): MeterDrift[] {
  const base = new Map(baselines.map((b) => [`${b.enterprise}/${b.meter}`, b]));
  const out: MeterDrift[] = [];
  for (const c of current) {
    const b = base.get(`${c.enterprise}/${c.meter}`);
    if (!b) continue;
    const changed = (['kind', 'multiplier', 'rollover'] as const)
      .filter((f) => b[f] !== c[f])
      .map((f) => `${f} ${b[f] ?? 'none'} -> ${c[f] ?? 'none'}`);
    if (changed.length > 0) out.push({ meter: `${c.enterprise}/${c.meter}`, changed });
  }
  return out;
}

export class MeterInventory {
  private orphans: string[] = [];
  private drift: MeterDrift[] = [];
  private checked = false;

  constructor(
    private readonly deps: {
      config: Config;
      /** Stopped after this component (the composition lists it before). */
      store: Pick<TimeSeriesStore, 'latest'>;
      baselines: MeterBaselineStore;
      logger: Logger;
      now: () => number;
    },
  ) {}

  /** Runs the check once (the time-series and state stores are started before this). */
  async start(): Promise<void> {
    const { config, store, baselines, logger } = this.deps;
    await baselines.start();
    const remembered = baselines.all();
    // Enterprises dropped from the configuration are known from the baselines of an earlier run.
    const enterprises = [...new Set([...config.enterprises.map((e) => e.id), ...remembered.map((b) => b.enterprise)])];
    const stored = await store.latest(enterprises);
    this.orphans = orphanedMeters(stored, config);
    const current = configuredParams(config, new Set(stored.map((s) => `${s.enterprise}/${s.meter}`)));
    this.drift = meterDrift(current, remembered);
    baselines.remember(current, this.deps.now());
    this.checked = true;
    if (this.orphans.length > 0)
      logger.warn(
        { orphanedMeters: this.orphans },
        `${this.orphans.length} stored meters are not in the configuration; their history is kept but counts nowhere. Put them back and record a decommission event (contract 8.1) rather than deleting a meter with history`,
      );
    for (const d of this.drift)
      logger.error(
        { meter: d.meter, changed: d.changed },
        `meter ${d.meter}: ${d.changed.join(', ')} in the configuration since its history began; a YAML edit re-prices every hour recomputed later. Restore the earlier value and record a 'multiplier' or 'replace' event at the instant of the change instead`,
      );
  }

  /**
   * Remembers the parameters of meters whose history began while running, so that a YAML edit
   * before the next start is caught too; a failure here only costs that, never the stop.
   */
  async stop(): Promise<void> {
    try {
      const { config, store, baselines } = this.deps;
      const stored = await store.latest(config.enterprises.map((e) => e.id));
      baselines.remember(configuredParams(config, new Set(stored.map((s) => `${s.enterprise}/${s.meter}`))), this.deps.now());
    } catch (err) {
      this.deps.logger.warn({ err }, 'meter baselines not updated at stop');
    }
    await this.deps.baselines.stop();
  }

  /** /healthz detail: never fails health; the lists are for staff tokens (strings), the counts for anyone. */
  health(): { ok: true; checked: boolean; orphanedMeterCount: number; orphanedMeters: string[]; driftCount: number; drift: string[] } {
    return {
      ok: true,
      checked: this.checked,
      orphanedMeterCount: this.orphans.length,
      orphanedMeters: this.orphans,
      driftCount: this.drift.length,
      drift: this.drift.map((d) => `${d.meter}: ${d.changed.join(', ')}`),
    };
  }
}
