/**
 * The demo's ledger seeding (services/demoRun.ts): recorded once, never over what is there, a
 * user's retraction is not undone, a refused event does not stop the demo, and the simulated
 * meters follow every demo-script change.
 */
import { DateTime } from 'luxon';
import { DEMO_CONFIG_PATH, loadConfigFile } from '../../../config/load';
import { COEFFICIENTS } from '../../../config/coefficients';
import { silentLogger } from '../../../services/core/log';
import { FactorTable } from '../../../services/energy/factors';
import type { MeterEvent, MeterEventInput } from '../../../services/energy/meterEvents';
import { seedDemoLedger } from '../../../services/demoRun';
import type { MeterEventService } from '../../../services/ledger/meterEventService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { openTestStateDb } from '../../helpers/stateDb';

const config = loadConfigFile(DEMO_CONFIG_PATH);
const factors = new FactorTable(config, COEFFICIENTS);
const now = DateTime.fromISO('2026-12-06T12:00:00', { zone: 'Asia/Shanghai' }).toMillis();

/** The ledger's meter events in memory: record, list and retract as the service does. */
class FakeMeterEvents {
  readonly events: MeterEvent[] = [];
  refuse = false;
  async record(enterprise: string, meter: string, input: MeterEventInput, by: string): Promise<MeterEvent> {
    if (this.refuse) throw new Error('refused');
    const e = { ...input, id: this.events.length + 1, enterprise, meter, recordedBy: by, recordedAt: now } as MeterEvent;
    this.events.push(e);
    return e;
  }
  async list(enterprise: string, meter: string): Promise<MeterEvent[]> {
    return this.events.filter((e) => e.enterprise === enterprise && e.meter === meter);
  }
  retract(id: number): void {
    const i = this.events.findIndex((e) => e.id === id);
    this.events[i] = { ...this.events[i]!, retractedBy: 'admin', retractedAt: now };
  }
}

describe('demo ledger seeding', () => {
  let stateDb: Awaited<ReturnType<typeof openTestStateDb>>;
  let monthly: MonthlyStatisticsStore;
  beforeEach(async () => {
    stateDb = await openTestStateDb();
    monthly = new MonthlyStatisticsStore(stateDb);
  });
  afterEach(async () => {
    await stateDb.close();
  });

  const seed = (events: FakeMeterEvents) =>
    seedDemoLedger({
      config,
      factors,
      meterEvents: events as unknown as MeterEventService,
      monthly,
      mqttUrl: () => '',
      logger: silentLogger(),
      now: () => now,
    });

  it('records the replacement, the CT change and 11 months x 4 enterprises once; a restart records nothing', async () => {
    const events = new FakeMeterEvents();
    const changes = await seed(events);
    expect(events.events.map((e) => `${e.enterprise}/${e.meter} ${e.type}`)).toEqual(['cem01/e-main replace', 'chem01/e-main multiplier']);
    expect([...changes.keys()]).toEqual(['cem01/e-main', 'chem01/e-main']);
    expect(await monthly.records(['alu01', 'cem01', 'chem01', 'pha01'], '2026-01', '2026-12')).toHaveLength(44);

    // A user's own entry for a month is kept; the restart adds nothing.
    await monthly.put('alu01', '2026-03', { outputValue10kYuan: 1 }, 'officer', now);
    await seed(events);
    expect(events.events).toHaveLength(2);
    expect(await monthly.current('alu01', '2026-03')).toMatchObject({ outputValue10kYuan: 1, version: 2, recordedBy: 'officer' });
  });

  it('does not plan a retracted demo event again, and the simulated meter still follows it', async () => {
    const events = new FakeMeterEvents();
    await seed(events);
    events.retract(2);
    const changes = await seed(events);
    expect(events.events).toHaveLength(2);
    expect(changes.get('chem01/e-main')).toEqual([expect.objectContaining({ type: 'multiplier', multiplier: 80 })]);
  });

  it('keeps the demo running when the ledger refuses a planned event', async () => {
    const events = new FakeMeterEvents();
    events.refuse = true;
    await expect(seed(events)).resolves.toEqual(new Map());
    expect(await monthly.records(['pha01'], '2026-01', '2026-12')).toHaveLength(11);
  });
});
