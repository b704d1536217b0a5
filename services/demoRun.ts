/**
 * The demo run (composition): before the simulated gateways connect, the demo's ledger script is
 * recorded once (a meter replacement, a CT change and the monthly statistics of every complete
 * month, by `demo-script`; see ingest/simulator/demoLedger.ts), and the simulated meters then
 * follow the replacement and CT change recorded in the ledger. Facts already recorded are kept,
 * whoever recorded them, so restarts and users' own entries (retractions too) are never overwritten.
 */
import type { Config } from '../config/schema';
import type { Logger } from './core/log';
import type { FactorTable } from './energy/factors';
import type { MeterEventService } from './ledger/meterEventService';
import type { MonthlyStatisticsStore } from './store/state/monthlyStatisticsStore';
import { DEMO_RECORDER, demoMonthlyStatistics, plannedDemoEvents, scriptedChanges } from '../ingest/simulator/demoLedger';
import { MeterSimulator } from '../ingest/simulator/meterSimulator';

export interface DemoRunDeps {
  readonly config: Config;
  readonly factors: FactorTable;
  readonly meterEvents: MeterEventService;
  readonly monthly: MonthlyStatisticsStore;
  readonly mqttUrl: () => string;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Records the demo's ledger facts that are not there yet; answers the changes the simulated meters follow. */
export async function seedDemoLedger(deps: DemoRunDeps): Promise<ReturnType<typeof scriptedChanges>> {
  const { config, meterEvents, monthly, logger } = deps;
  const now = deps.now();
  // Every demo-script event, retracted ones too: the simulated meter went through the change whatever
  // the ledger says later, and a retraction by a user is never undone by planning the event again.
  const scripted = async (enterprise: string, meter: string) =>
    (await meterEvents.list(enterprise, meter)).filter((e) => e.recordedBy === DEMO_RECORDER);
  let recorded = 0;
  for (const planned of plannedDemoEvents(config, now)) {
    if ((await scripted(planned.enterprise, planned.meter)).length > 0) continue;
    try {
      await meterEvents.record(planned.enterprise, planned.meter, planned.event, DEMO_RECORDER);
      recorded++;
    } catch (err) {
      // A refusal (e.g. the meter already has readings that contradict the planned registers) must not stop the demo.
      logger.warn({ err, enterprise: planned.enterprise, meter: planned.meter }, 'demo ledger event not recorded');
    }
  }
  const months: ReturnType<typeof demoMonthlyStatistics> = [];
  for (const m of demoMonthlyStatistics(config, deps.factors, now, 1))
    if ((await monthly.current(m.enterprise, m.month)) === undefined) months.push(m);
  if (months.length > 0) await monthly.putAll(months, DEMO_RECORDER, now);
  if (recorded + months.length > 0) logger.info({ meterEvents: recorded, months: months.length }, 'demo ledger recorded');
  const events: Parameters<typeof scriptedChanges>[0][number][] = [];
  for (const e of config.enterprises)
    for (const m of e.meters) for (const event of await scripted(e.id, m.id)) events.push({ enterprise: e.id, meter: m.id, event });
  return scriptedChanges(events);
}

/** The demo's simulated plants as a component of the app. */
export function demoSimulator(deps: DemoRunDeps): { start(): Promise<void>; stop(): Promise<void> } {
  let simulator: MeterSimulator | undefined;
  return {
    start: async () => {
      const changes = await seedDemoLedger(deps);
      // The demo gateways' passwords follow the demo configuration's convention (config/demo.yaml).
      simulator = new MeterSimulator(
        {
          config: deps.config,
          mqttUrl: deps.mqttUrl(),
          passwordFor: (id: string) => `${id}-demo`,
          seedYearToDate: true,
          seedPreviousYear: true,
          changes,
        },
        { logger: deps.logger.child({ component: 'simulator' }) },
      );
      await simulator.start();
    },
    stop: async () => simulator?.stop(),
  };
}
