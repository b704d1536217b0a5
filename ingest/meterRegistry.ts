/**
 * The configured meters, indexed for the hot path: the arithmetic model, the conversion factors
 * and the carrier tags each meter's consumption is stored under.
 */
import type { Config, EnterpriseConfig, MeterConfig } from '../config/schema';
import type { MeterModel } from '../services/energy/consumption';
import type { FactorTable, MeterFactors } from '../services/energy/factors';
import type { HourlyConsumption, MeterKey } from '../services/store/timeSeriesStore';

export interface RegisteredMeter {
  readonly key: MeterKey;
  readonly enterprise: EnterpriseConfig;
  readonly config: MeterConfig;
  readonly model: MeterModel;
  readonly factors: MeterFactors;
  /** The stored form of this meter's consumption in one hour (meter quantity unit in, carrier unit out). */
  hourly(hour: number, quantity: number): HourlyConsumption;
}

export class MeterRegistry {
  /** enterprise -> meter -> registered meter: no key string is built per lookup (hot path). */
  private readonly byKey = new Map<string, Map<string, RegisteredMeter>>();
  private readonly enterprises = new Map<string, EnterpriseConfig>();

  constructor(config: Config, factors: FactorTable) {
    for (const e of config.enterprises) {
      this.enterprises.set(e.id, e);
      for (const m of e.meters) {
        const f = factors.meter(m);
        // The configuration check guarantees a coefficient for every meter; fail loudly if not.
        if (!f) throw new Error(`no conversion factors for meter ${e.id}/${m.id} (${m.carrier}, ${m.unit})`);
        const key = { enterprise: e.id, meter: m.id };
        let meters = this.byKey.get(e.id);
        if (!meters) this.byKey.set(e.id, (meters = new Map()));
        meters.set(m.id, {
          key,
          enterprise: e,
          config: m,
          model: { kind: m.kind, multiplier: m.multiplier, rollover: m.rollover, intervalMs: m.intervalSeconds * 1000 },
          factors: f,
          hourly: (hour, quantity) => ({ enterprise: e.id, meter: m.id, carrier: m.carrier, unit: f.unit, hour, quantity: quantity * f.toCarrierUnit }),
        });
      }
    }
  }

  get(key: MeterKey): RegisteredMeter | undefined {
    return this.byKey.get(key.enterprise)?.get(key.meter);
  }

  enterprise(id: string): EnterpriseConfig | undefined {
    return this.enterprises.get(id);
  }
}
