/**
 * At start, the stored meters against the configuration (contract 8.1: "a meter that has history
 * must be decommissioned, not deleted from the configuration: at start the service lists stored
 * meters that the configuration no longer has"), and each meter's base model against the one it
 * had when its history began (docs/ledger/meter-events.md "Drift"):
 *
 * - a different multiplier or rollover in the YAML is not applied: the meter registry keeps the
 *   remembered values, so no old hour is re-priced; the error names the meter event to record;
 * - a different kind or unit refuses start-up: the history cannot be read as the new kind or unit
 *   (a new meter id, and a decommission of the old one).
 *
 * This runs before the meter events load and before ingest evaluates any reading (services/app.ts).
 * Orphans and drift are logged and shown in /healthz's detail; neither fails health.
 */
import type { Config } from '../../config/schema';
import type { Logger } from '../core/log';
import type { MeterRegistry } from '../energy/meterRegistry';
import type { EventBus } from '../events/eventBus';
import type { MeterBaseline, MeterBaselineStore } from '../store/state/meterBaselineStore';
import type { LatestReading, TimeSeriesStore } from '../store/timeSeriesStore';

/** A configured meter whose base model differs in the YAML from the one its history began with. */
export interface MeterDrift {
  /** `enterprise/meter`. */
  readonly meter: string;
  /** Every difference, `field remembered -> configured`. */
  readonly changed: string[];
  /** The differences of kind or unit: the service does not start with these. */
  readonly refused: string[];
  /** The remembered multiplier and rollover, which the figures keep using. */
  readonly base: { readonly multiplier: number; readonly rollover: number | undefined };
}

/** `enterprise/meter` of every stored meter the configuration does not have, sorted. */
export function orphanedMeters(stored: readonly Pick<LatestReading, 'enterprise' | 'meter'>[], config: Config): string[] {
  const configured = new Set(config.enterprises.flatMap((e) => e.meters.map((m) => `${e.id}/${m.id}`)));
  return [...new Set(stored.map((s) => `${s.enterprise}/${s.meter}`))].filter((k) => !configured.has(k)).sort();
}

type Params = Omit<MeterBaseline, 'firstSeenAt' | 'unit'> & { readonly unit: string };

/** The configured parameters of the meters `which` selects, as baseline rows. */
function configuredParams(config: Config, which: (key: string) => boolean): Params[] {
  return config.enterprises.flatMap((e) =>
    e.meters
      .filter((m) => which(`${e.id}/${m.id}`))
      .map((m) => ({ enterprise: e.id, meter: m.id, kind: m.kind, unit: m.unit, multiplier: m.multiplier, rollover: m.rollover ?? null })),
  );
}

const REFUSED = new Set(['kind', 'unit']);

/** Each configured meter whose kind, unit, multiplier or rollover differs from its remembered baseline. */
export function meterDrift(current: readonly Params[], baselines: readonly MeterBaseline[]): MeterDrift[] {
  const base = new Map(baselines.map((b) => [`${b.enterprise}/${b.meter}`, b]));
  const out: MeterDrift[] = [];
  for (const c of current) {
    const b = base.get(`${c.enterprise}/${c.meter}`);
    if (!b) continue;
    // A unit remembered before units were is unknown (null): not a change.
    const fields = (['kind', 'unit', 'multiplier', 'rollover'] as const).filter((f) => b[f] !== c[f] && !(f === 'unit' && b.unit === null));
    if (fields.length === 0) continue;
    const text = (f: (typeof fields)[number]) => `${f} ${b[f] ?? 'none'} -> ${c[f] ?? 'none'}`;
    out.push({
      meter: `${c.enterprise}/${c.meter}`,
      changed: fields.map(text),
      refused: fields.filter((f) => REFUSED.has(f)).map(text),
      base: { multiplier: b.multiplier, rollover: b.rollover ?? undefined },
    });
  }
  return out;
}

/** A meter with history whose kind or unit the configuration changed: the service does not start. */
export class MeterBaseChangedError extends Error {
  constructor(readonly drift: readonly MeterDrift[]) {
    super(
      `${drift.map((d) => `meter ${d.meter}: ${d.refused.join(', ')}`).join('; ')} in the configuration, but the stored history ` +
        `was measured as the earlier kind and unit and cannot be read as the new one. Restore the earlier values; to measure ` +
        `differently, configure a new meter id and record a 'decommission' event on the old meter (contract 8.1).`,
    );
    this.name = 'MeterBaseChangedError';
  }
}

export class MeterInventory {
  private orphans: string[] = [];
  private drift: MeterDrift[] = [];
  private checked = false;
  /** `enterprise/meter` of the meters remembered in the baselines (or seen with history). */
  private readonly remembered = new Set<string>();
  /** Configured meters not remembered yet: the readingsStored listener has work only while this is above 0. */
  private unremembered = 0;
  private unsubscribe: (() => void) | undefined;
  /** First-reading writes under way (rememberNew), awaited by stop. */
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      config: Config;
      /** Stopped after this component (the composition lists it before). */
      store: Pick<TimeSeriesStore, 'latest'>;
      baselines: MeterBaselineStore;
      /** Given the remembered multiplier and rollover of meters whose YAML values drifted. */
      meters?: Pick<MeterRegistry, 'useBaseline'>;
      /** A meter whose history begins while running is remembered at its first stored reading. */
      bus?: Pick<EventBus, 'on'>;
      logger: Logger;
      now: () => number;
    },
  ) {}

  /**
   * Runs the check once (the time-series and state stores are started before this); throws
   * MeterBaseChangedError when a meter with history changed kind or unit.
   */
  async start(): Promise<void> {
    const { config, store, baselines, logger } = this.deps;
    const remembered = await baselines.all();
    // Enterprises dropped from the configuration are known from the baselines of an earlier run.
    const enterprises = [...new Set([...config.enterprises.map((e) => e.id), ...remembered.map((b) => b.enterprise)])];
    const stored = await store.latest(enterprises);
    this.orphans = orphanedMeters(stored, config);
    const withHistory = new Set(stored.map((s) => `${s.enterprise}/${s.meter}`));
    const current = configuredParams(config, (k) => withHistory.has(k));
    const drift = meterDrift(current, remembered);
    const refused = drift.filter((d) => d.refused.length > 0);
    if (refused.length > 0) throw new MeterBaseChangedError(refused);
    this.drift = drift;
    for (const d of drift) {
      const [enterprise = '', meter = ''] = d.meter.split('/');
      this.deps.meters?.useBaseline({ enterprise, meter }, d.base);
    }
    await baselines.remember(current, this.deps.now());
    for (const k of [...withHistory, ...remembered.map((b) => `${b.enterprise}/${b.meter}`)]) this.remembered.add(k);
    for (const e of this.deps.config.enterprises) for (const m of e.meters) if (!this.remembered.has(`${e.id}/${m.id}`)) this.unremembered++;
    this.checked = true;
    this.unsubscribe = this.deps.bus?.on('readingsStored', ({ readings }) => this.rememberNew(readings));
    if (this.orphans.length > 0)
      logger.warn(
        { orphanedMeters: this.orphans },
        `${this.orphans.length} stored meters are not in the configuration; their history is kept but counts nowhere. Put them back and record a decommission event (contract 8.1) rather than deleting a meter with history`,
      );
    for (const d of this.drift)
      logger.error(
        { meter: d.meter, changed: d.changed, used: d.base },
        `meter ${d.meter}: ${d.changed.join(', ')} in the configuration since its history began; not applied: the figures keep multiplier ${d.base.multiplier} and rollover ${d.base.rollover ?? 'none'} (the meter's base model). Record a 'multiplier' event (CT/PT ratio change) or a 'replace' event at the instant of the change, and restore the earlier value in the configuration`,
      );
  }

  /**
   * Remembers the parameters of meters whose history began while running, so that a YAML edit
   * before the next start is caught too; a failure here only costs that, never the stop.
   */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    // A first-reading write still under way finishes before the last one and before the store closes.
    await Promise.all(this.writing);
    try {
      const { config, store, baselines } = this.deps;
      const stored = await store.latest(config.enterprises.map((e) => e.id));
      const withHistory = new Set(stored.map((s) => `${s.enterprise}/${s.meter}`));
      await baselines.remember(
        configuredParams(config, (k) => withHistory.has(k)),
        this.deps.now(),
      );
    } catch (err) {
      this.deps.logger.warn({ err }, 'meter baselines not updated at stop');
    }
  }

  /** /healthz detail: never fails health; the lists are for staff tokens (strings), the counts for anyone. */
  health(): { ok: true; checked: boolean; orphanedMeterCount: number; orphanedMeters: string[]; driftCount: number; drift: string[] } {
    return {
      ok: true,
      checked: this.checked,
      orphanedMeterCount: this.orphans.length,
      orphanedMeters: this.orphans,
      driftCount: this.drift.length,
      drift: this.drift.map((d) => `${d.meter}: ${d.changed.join(', ')} (not applied)`),
    };
  }

  /** The first stored reading of a configured meter: its base model is remembered now, not only at stop (a crash). */
  private rememberNew(readings: readonly { enterprise: string; meter: string }[]): void {
    // Once every configured meter is remembered (the steady state) a stored batch costs nothing here.
    if (this.unremembered === 0) return;
    const fresh = new Set<string>();
    for (const r of readings) {
      const k = `${r.enterprise}/${r.meter}`;
      if (!this.remembered.has(k)) fresh.add(k);
    }
    if (fresh.size === 0) return;
    // The bus calls listeners synchronously: the write runs on, its meters counted as remembered
    // at once (a batch arriving meanwhile does not write them again) and given back if it fails.
    for (const k of fresh) this.remembered.add(k);
    const write = this.deps.baselines
      .remember(
        configuredParams(this.deps.config, (k) => fresh.has(k)),
        this.deps.now(),
      )
      .then(
        () => {
          this.unremembered = Math.max(0, this.unremembered - fresh.size);
        },
        (err: unknown) => {
          for (const k of fresh) this.remembered.delete(k);
          this.deps.logger.warn({ err }, 'meter baselines not updated');
        },
      )
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }
}
