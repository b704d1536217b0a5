/**
 * A meter-event rig for tests: the registry, consumption tracker and MeterEventService of one
 * instance over a given store and event store, with the `ledgerChanged` announcements and the
 * data-quality events it records collected.
 */
import { ConsumptionTracker } from '../../ingest/consumptionTracker';
import type { Config } from '../../config/schema';
import { silentLogger } from '../../services/core/log';
import type { DataQualityEvent } from '../../services/energy/dataQuality';
import type { MeterRegistry } from '../../services/energy/meterRegistry';
import { EventBus } from '../../services/events/eventBus';
import { MeterEventService } from '../../services/ledger/meterEventService';
import type { MeterEventStore } from '../../services/store/state/meterEventStore';
import type { MeterKey, TimeSeriesStore } from '../../services/store/timeSeriesStore';
import { testRegistry } from './config';

export interface MeterEventRig {
  meters: MeterRegistry;
  tracker: ConsumptionTracker;
  service: MeterEventService;
  bus: EventBus;
  changes: { kind: string; enterprise: string; from: number }[];
  quality: DataQualityEvent[];
}

export function meterEventRig(
  config: Config,
  store: TimeSeriesStore,
  events: MeterEventStore,
  options: { now: () => number; owns?: (k: MeterKey) => boolean; pollMs?: number },
): MeterEventRig {
  const meters = testRegistry(config);
  const tracker = new ConsumptionTracker({ store, meters });
  const bus = new EventBus(silentLogger());
  const changes: MeterEventRig['changes'] = [];
  bus.on('ledgerChanged', (c) => changes.push(c));
  const quality: DataQualityEvent[] = [];
  const service = new MeterEventService({
    events,
    meters,
    tracker,
    store,
    bus,
    pollMs: 0,
    dataQuality: {
      recordDataQuality: (e) => {
        quality.push(...e);
        return Promise.resolve();
      },
    },
    ...options,
  });
  return { meters, tracker, service, bus, changes, quality };
}
