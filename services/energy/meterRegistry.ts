/**
 * The configured meters, indexed once: each meter's key, its configuration, the arithmetic model
 * and the conversion factors. One model for every reader of meters: ingest (decoding, the
 * consumption tracker) and the figures (the status service), so neither searches the
 * configuration again nor rebuilds the model. Pure: the configuration and factors come in as data.
 */
import type { Config, EnterpriseConfig, MeterConfig } from '../../config/schema';
import type { MeterModel } from './consumption';
import type { FactorTable, MeterFactors } from './factors';
import type { MeterRef } from './meterScope';
import { MeterTimelines, type MeterTimeline } from './meterTimeline';

export interface RegisteredMeter {
  readonly key: MeterRef;
  readonly enterprise: EnterpriseConfig;
  readonly config: MeterConfig;
  readonly model: MeterModel;
  readonly factors: MeterFactors;
}

/** The arithmetic model of a configured meter (contract 4). */
export function meterModel(m: Pick<MeterConfig, 'kind' | 'multiplier' | 'rollover' | 'intervalSeconds'>): MeterModel {
  return { kind: m.kind, multiplier: m.multiplier, rollover: m.rollover, intervalMs: m.intervalSeconds * 1000 };
}

export class MeterRegistry {
  /** enterprise -> meter -> registered meter: no key string is built per lookup (hot path). */
  private readonly byKey = new Map<string, Map<string, RegisteredMeter>>();
  private readonly enterprises = new Map<string, EnterpriseConfig>();

  /**
   * The meter events in force (contract 8.1), shared with the ledger that records them: every
   * reader that evaluates a meter gets its timeline here, beside its model.
   */
  constructor(
    config: Config,
    factors: FactorTable,
    readonly timelines: MeterTimelines = new MeterTimelines(),
  ) {
    for (const e of config.enterprises) {
      this.enterprises.set(e.id, e);
      for (const m of e.meters) {
        const f = factors.meter(m);
        // The configuration check guarantees a coefficient for every meter; fail loudly if not.
        if (!f) throw new Error(`no conversion factors for meter ${e.id}/${m.id} (${m.carrier}, ${m.unit})`);
        let meters = this.byKey.get(e.id);
        if (!meters) this.byKey.set(e.id, (meters = new Map()));
        meters.set(m.id, { key: { enterprise: e.id, meter: m.id }, enterprise: e, config: m, model: meterModel(m), factors: f });
      }
    }
  }

  /**
   * The meter's base multiplier and rollover are `base` rather than the configuration's: the ones
   * remembered when its history began (services/ledger/meterInventory.ts), so that a later YAML edit
   * re-prices no hour. Called at start, before meter events load and before ingest evaluates a reading.
   */
  useBaseline(key: MeterRef, base: { readonly multiplier: number; readonly rollover: number | undefined }): void {
    const meters = this.byKey.get(key.enterprise);
    const reg = meters?.get(key.meter);
    if (!meters || !reg) return;
    const config: MeterConfig = { ...reg.config, multiplier: base.multiplier };
    if (base.rollover === undefined) delete config.rollover;
    else config.rollover = base.rollover;
    meters.set(key.meter, { ...reg, config, model: meterModel(config) });
  }

  get(key: MeterRef): RegisteredMeter | undefined {
    return this.byKey.get(key.enterprise)?.get(key.meter);
  }

  /** The meter's events in force (an empty timeline when it has none). */
  timeline(key: MeterRef): MeterTimeline {
    return this.timelines.of(key);
  }

  enterprise(id: string): EnterpriseConfig | undefined {
    return this.enterprises.get(id);
  }
}
