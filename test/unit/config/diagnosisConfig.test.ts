/** Diagnosis configuration (contract 11): schedules, defaults, per-enterprise overrides and their problems. */
import { parseConfig } from '../../../config/load';
import { DEFAULT_TOU_SCHEDULE } from '../../../config/diagnosisSchema';

const enterprise = (extra = '') => `
enterprises:
  - id: alu01
    name: 铝业
    industry: "3216"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
${extra}`;

function problemsOf(yaml: string): string {
  try {
    parseConfig(yaml);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected the configuration to be refused');
}

describe('diagnosis configuration', () => {
  it('defaults to Monday-Friday 08:00-18:00, the shipped time-of-use schedule and contract 11 rule', () => {
    const c = parseConfig(enterprise());
    expect(c.diagnosis.workingHours).toEqual({
      mon: ['08:00-18:00'],
      tue: ['08:00-18:00'],
      wed: ['08:00-18:00'],
      thu: ['08:00-18:00'],
      fri: ['08:00-18:00'],
    });
    expect(c.diagnosis.anomaly).toEqual({ thresholdMads: 3, weeks: 8, minHistoryDays: 4 });
    expect(c.diagnosis.baseLoadPercentile).toBe(5);
    expect(c.touSchedule).toEqual(DEFAULT_TOU_SCHEDULE);
    expect(c.enterprises[0]!.touSchedule).toBeUndefined();
  });

  it('takes a continuous schedule and a time-of-use schedule per enterprise', () => {
    const c = parseConfig(`
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    diagnosis: {workingHours: continuous}
    touSchedule:
      name: own
      source: plant contract
      peak: ["08:00-12:00", "18:00-22:00"]
      flat: ["12:00-18:00", "22:00-24:00"]
      valley: ["00:00-08:00"]
      sharp: ["19:00-21:00"]
      sharpMonths: [7, 8]
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
`);
    expect(c.enterprises[0]!.diagnosis?.workingHours).toBe('continuous');
    expect(c.enterprises[0]!.touSchedule?.sharp).toEqual(['19:00-21:00']);
  });

  it('lists every problem of a schedule', () => {
    const msg = problemsOf(
      enterprise(`
diagnosis:
  workingHours: {mon: ["08:30-18:00"], tue: ["08:00-12:00", "11:00-13:00"], sun: ["18:00-08:00"]}
touSchedule:
  name: bad
  source: test
  peak: ["08:00-12:00"]
  flat: ["11:00-24:00"]
  valley: ["01:00-08:00"]
  sharp: ["00:00-01:00"]
`),
    );
    expect(msg).toMatch(/whole-hour range/);
    expect(msg).toMatch(/ranges overlap at hour 11:00/);
    expect(msg).toMatch(/start < end/);
    // 00:00 uncovered, 11:00 in peak and flat
    expect(msg).toMatch(/leave hours 0:00 uncovered/);
    expect(msg).toMatch(/hours 11:00 are in more than one period/);
    expect(msg).toMatch(/sharp hours must lie inside the peak/);
    expect(msg).toMatch(/sharpMonths/);
  });
});
