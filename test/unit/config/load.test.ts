import { ConfigError, connectionsFromEnv, parseConfig } from '../../../config/load';
import { testConfig } from '../../helpers/config';

const valid = `
timezone: Asia/Shanghai
enterprises:
  - id: alu01
    name: 重庆示例铝业有限公司
    industry: "3216"
    tariff: aluminium-2025
    quotas: [{year: 2026, totalTce: 52000, intensityLimit: 1.8}]
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter, multiplier: 2000, rollover: 99999999.99}
      - {id: out, carrier: product, product: aluminium_liquid, unit: t, kind: counter}
tariffs:
  - {id: aluminium-2025, scheme: step, basis: ytd, threshold: 13300, step: 20, markupPerStep: 0.01}
`;

function problemsOf(text: string) {
  try {
    parseConfig(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration (contract 3)', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = parseConfig(valid);
    expect(c.electricity).toBe('equivalent');
    expect(c.rules.quota).toEqual({ paceYellow: 1, paceRed: 1.1, shareYellow: 0.9, shareRed: 1 });
    expect(c.rules.silenceMultiple).toBe(4);
    expect(c.enterprises[0]!.meters[1]!.intervalSeconds).toBe(900);
    expect(Object.isFrozen(c.enterprises[0]!.meters)).toBe(true);
  });

  it('lists every problem at once, with its path and line in the file', () => {
    const problems = problemsOf(`
timezone: Mars/Olympus
enterprises:
  - id: ALU 01
    name: x
    industry: "3216"
    meters:
      - {id: e, carrier: electricity, unit: kWh, kind: counter, multiplier: -1}
      - {id: g, carrier: plasma, unit: kWh, kind: counter}
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual(
      ['enterprises[0].id', 'enterprises[0].meters[0].multiplier', 'enterprises[0].meters[1].carrier', 'timezone'].sort(),
    );
    expect(byPath['timezone']!.line).toBe(2);
    expect(byPath['enterprises[0].id']!.line).toBe(4);
    expect(byPath['enterprises[0].meters[0].multiplier']!.line).toBe(8);
  });

  it('reports cross-references: unknown tariff, duplicate ids, units that do not fit the carrier', () => {
    const problems = problemsOf(`
enterprises:
  - id: a
    name: A
    industry: "3011"
    tariff: nope
    meters:
      - {id: m, carrier: electricity, unit: m3, kind: counter}
      - {id: m, carrier: electricity, unit: kW, kind: counter}
      - {id: p, carrier: electricity, unit: kWh, kind: power}
  - id: a
    name: B
    industry: "3011"
    meters: [{id: x, carrier: water, unit: t, kind: interval}]
rules:
  thresholds: [{enterprise: a, meter: ghost, above: 1}]
auth:
  tokens: [{name: t, role: enterprise, sha256: "${'0'.repeat(64)}"}]
`);
    const paths = problems.map((p) => `${p.path}: ${p.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^enterprises\[0\]\.tariff: unknown tariff "nope"/),
        expect.stringMatching(/^enterprises\[0\]\.meters\[0\]\.unit: /),
        expect.stringMatching(/^enterprises\[0\]\.meters\[1\]\.id: duplicate meter id/),
        expect.stringMatching(/^enterprises\[0\]\.meters\[2\]\.unit: a power meter's unit/),
        expect.stringMatching(/^enterprises\[1\]\.id: duplicate enterprise id/),
        expect.stringMatching(/^rules\.thresholds\[0\]\.meter: unknown meter "ghost"/),
        expect.stringMatching(/^auth\.tokens\[0\]\.enterprise: an enterprise token must name its enterprise/),
      ]),
    );
  });

  it('refuses the id "district", which names the district total in reports', () => {
    const problems = problemsOf(`
enterprises:
  - id: district
    name: C
    industry: "3011"
    meters: [{id: y, carrier: water, unit: t, kind: interval}]
`);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'enterprises[0].id: expected an id other than "district" (reserved for the district total)',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('enterprises:\n  - id: a\n   name: b\n');
    expect(problems[0]!.line).toBeGreaterThan(0);
  });

  it('takes connection settings from the environment (contract 3)', () => {
    const c = testConfig();
    const conn = connectionsFromEnv(
      {
        MQTT_URL: 'mqtt://broker:1883',
        INFLUX_URL: 'http://influx:8086',
        INFLUX_TOKEN: 't',
        INFLUX_BUCKET: 'energy2',
        SMTP_URL: 'smtp://mail:25',
        HTTP_PORT: '9090',
        DATA_DIR: '/tmp/x',
      },
      c,
    );
    expect(conn).toMatchObject({
      mqttUrl: 'mqtt://broker:1883',
      influx: { url: 'http://influx:8086', token: 't', database: 'energy2' },
      smtpUrl: 'smtp://mail:25',
      httpPort: 9090,
      dataDir: '/tmp/x',
    });
    const embedded = connectionsFromEnv({}, c);
    expect(embedded.mqttUrl).toBeUndefined();
    expect(embedded.influx).toBeUndefined();
    expect(embedded.httpPort).toBe(8080);
    expect(() => connectionsFromEnv({ HTTP_PORT: 'eighty' }, c)).toThrow(ConfigError);
  });

  it('refuses time zones whose UTC offset is not a whole number of hours (consumption buckets are UTC hours)', () => {
    const withZone = (zone: string) => valid.replace('timezone: Asia/Shanghai', `timezone: ${zone}`);
    for (const zone of ['Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu']) {
      const problems = problemsOf(withZone(zone));
      expect(problems).toHaveLength(1);
      expect(problems[0]!.path).toBe('timezone');
      expect(problems[0]!.message).toMatch(new RegExp(`time zone ${zone} has UTC offset [+-]\\d\\d:(30|45).*not a whole number of hours`));
    }
    for (const zone of ['Asia/Shanghai', 'UTC', 'Europe/Berlin', 'America/New_York']) {
      expect(parseConfig(withZone(zone)).timezone).toBe(zone);
    }
  });

  it('requires a product meter with a mass unit for an enterprise with a tariff; thresholds may name any meter kind', () => {
    const problems = problemsOf(`
enterprises:
  - id: a
    name: A
    industry: "3216"
    tariff: t1
    meters:
      - {id: e, carrier: electricity, unit: kWh, kind: counter}
  - id: b
    name: B
    industry: "3011"
    tariff: t1
    meters:
      - {id: e, carrier: electricity, unit: kWh, kind: counter}
      - {id: out, carrier: product, product: clinker, unit: t, kind: counter}
      - {id: bags, carrier: product, product: bags, unit: pcs, kind: counter}
      - {id: out-kg, carrier: product, product: clinker, unit: kg, kind: interval}
  - id: c
    name: C
    industry: "3011"
    meters:
      - {id: e, carrier: electricity, unit: kWh, kind: counter}
      - {id: p, carrier: electricity, unit: kW, kind: power}
      - {id: i, carrier: natural_gas, unit: m3, kind: interval}
      - {id: bags, carrier: product, product: bags, unit: pcs, kind: counter}
tariffs:
  - {id: t1, scheme: step, threshold: 100, step: 20, markupPerStep: 0.01}
rules:
  thresholds:
    - {enterprise: c, meter: e, above: 1}
    - {enterprise: c, meter: p, above: 1}
    - {enterprise: c, meter: i, above: 1}
`);
    expect(problems.map((p) => `${p.path}: ${p.message}`).sort()).toEqual([
      expect.stringMatching(/^enterprises\[0\]\.meters: enterprise a has tariff "t1" but no product meter/),
      expect.stringMatching(
        /^enterprises\[1\]\.meters\[2\]\.unit: enterprise b has tariff "t1": its product meters must count mass \(t or kg\), got "pcs"/,
      ),
    ]);
  });
});
