/**
 * Monthly statistics through the API (contract 8.3): versions with who and when, null clears,
 * enterprise self-service, every refusal a 422 naming the field with nothing stored, the output
 * shorthand versioned too, ledgerChanged on every write, and the reconciliation of metered vs entered.
 */
import type { EventMap } from '../../services/events/eventBus';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { testConfig } from '../helpers/config';
import { nineDigits } from '../helpers/figures';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-11-15T12:00:00+08:00');
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '测试铝业',
      industry: '3216',
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'e-sub', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
        { id: 'gas', carrier: 'natural_gas', unit: 'm3', kind: 'interval', intervalSeconds: 900 },
        { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter' },
      ],
    },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
});

const FULL = {
  outputValue10kYuan: 4321.5,
  valueAdded10kYuan: 980,
  products: { aluminium_liquid: { quantity: 100, unit: 't' } },
  carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } },
  greenCertificatesKwh: 1500000,
  processCo2T: 0,
  note: '据205-1表',
};

interface Problem {
  field: string;
  message: string;
}

describe('monthly statistics API', () => {
  let svc: RunningApp;
  const changes: EventMap['ledgerChanged'][] = [];

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => NOW });
    svc.app.bus.on('ledgerChanged', (c) => changes.push(c));
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('stores versions with who and when; a present key replaces, null clears; history lists every version', async () => {
    const v1 = await svc.put('/api/enterprises/alu01/monthly/2026-10', FULL, TOKENS.officer);
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual({
      enterprise: 'alu01',
      month: '2026-10',
      version: 1,
      recordedBy: 'officer',
      recordedAt: '2026-11-15T12:00:00.000+08:00',
      ...FULL,
    });
    expect(changes).toEqual([{ kind: 'monthly-statistics', enterprise: 'alu01', from: at('2026-10-01T00:00:00+08:00') }]);

    // The enterprise's own token may enter its figures.
    const v2 = await svc.put('/api/enterprises/alu01/monthly/2026-10', { note: null, valueAdded10kYuan: 1000 }, TOKENS.alu01);
    expect(v2.status).toBe(200);
    const rest: Partial<typeof FULL> = { ...FULL };
    delete rest.note;
    expect(v2.body).toEqual({
      ...rest,
      enterprise: 'alu01',
      month: '2026-10',
      version: 2,
      recordedBy: 'alu01-manager',
      recordedAt: '2026-11-15T12:00:00.000+08:00',
      valueAdded10kYuan: 1000,
    });

    expect((await svc.get('/api/enterprises/alu01/monthly/2026-10', TOKENS.auditor)).body).toEqual(v2.body);
    const history = await svc.get('/api/enterprises/alu01/monthly/2026-10?history=1', TOKENS.alu01);
    expect(history.body).toEqual([v1.body, v2.body]);
    expect((await svc.get('/api/enterprises/alu01/monthly/2026-08')).body).toEqual({
      enterprise: 'alu01',
      month: '2026-08',
      version: 0,
      recordedBy: null,
      recordedAt: null,
    });
    // The status service reads the same store: the output value is the month's.
    expect(await svc.app.outputs.outputs(['alu01'], '2026-10', '2026-10')).toEqual([{ enterprise: 'alu01', month: '2026-10', value10kYuan: 4321.5 }]);
  });

  it('refuses with 422 and every problem named, storing nothing', async () => {
    const before = changes.length;
    const refuse = async (month: string, body: unknown, fields: string[]) => {
      const res = await svc.put(`/api/enterprises/alu01/monthly/${month}`, body, TOKENS.officer);
      expect(res.status).toBe(422);
      const problems = (res.body as { error: { code: string; problems: Problem[] } }).error.problems;
      expect(problems.map((p) => p.field).sort()).toEqual([...fields].sort());
    };
    // 1200 + 300 - 1600 = -100: negative consumption.
    await refuse('2026-10', { carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 1600 } } }, ['carriers.raw_coal']);
    // Natural gas is metered by alu01; unobtainium has no coefficient; coke in m3 has no coefficient either.
    await refuse(
      '2026-10',
      {
        carriers: {
          natural_gas: { unit: 'm3', purchased: 1, openingStock: 0, closingStock: 0 },
          unobtainium: { unit: 't', purchased: 1, openingStock: 0, closingStock: 0 },
          coke: { unit: 'm3', purchased: 1, openingStock: 0, closingStock: 0 },
        },
      },
      ['carriers.natural_gas', 'carriers.unobtainium', 'carriers.coke'],
    );
    // December 2026 has not started on 15 November.
    await refuse('2026-12', { outputValue10kYuan: 1 }, ['month']);
    await refuse('2026-10', { outputValue10kYuan: '12', products: { aluminium_liquid: { quantity: -1, unit: 't' } } }, [
      'outputValue10kYuan',
      'products.aluminium_liquid.quantity',
    ]);
    // A product metered in t cannot be entered in m3.
    await refuse('2026-10', { products: { aluminium_liquid: { quantity: 1, unit: 'm3' } } }, ['products.aluminium_liquid']);
    expect((await svc.get('/api/enterprises/alu01/monthly/2026-10?history=1')).body).toHaveLength(2);
    expect(changes).toHaveLength(before);
    // The current month may be entered.
    expect((await svc.put('/api/enterprises/alu01/monthly/2026-11', { outputValue10kYuan: 1 }, TOKENS.officer)).status).toBe(200);
  });

  it('answers by role: auditors read only, an enterprise token sees only its own enterprise', async () => {
    expect((await svc.put('/api/enterprises/alu01/monthly/2026-09', { note: 'x' }, TOKENS.auditor)).status).toBe(403);
    expect((await svc.put('/api/enterprises/cem01/monthly/2026-09', { note: 'x' }, TOKENS.alu01)).status).toBe(404);
    expect((await svc.get('/api/enterprises/cem01/monthly/2026-09', TOKENS.alu01)).status).toBe(404);
    expect((await svc.put('/api/enterprises/nope/monthly/2026-09', { note: 'x' })).status).toBe(404);
    expect((await svc.put('/api/enterprises/alu01/monthly/2026-13', { note: 'x' })).status).toBe(400);
  });

  it('keeps the output shorthand, versioned in the same record', async () => {
    const res = await svc.put('/api/enterprises/cem01/output/2026-09', { outputValue10kYuan: 1234.5 }, TOKENS.officer);
    expect(res).toEqual({ status: 200, body: { enterprise: 'cem01', month: '2026-09', outputValue10kYuan: 1234.5, enteredBy: 'officer' } });
    await svc.put('/api/enterprises/cem01/monthly/2026-09', { valueAdded10kYuan: 300 }, TOKENS.admin);
    await svc.put('/api/enterprises/cem01/output/2026-09', { outputValue10kYuan: 1300 }, TOKENS.admin);
    const history = (await svc.get('/api/enterprises/cem01/monthly/2026-09?history=1')).body as Record<string, unknown>[];
    expect(history.map((r) => [r.version, r.outputValue10kYuan, r.valueAdded10kYuan ?? null])).toEqual([
      [1, 1234.5, null],
      [2, 1234.5, 300],
      [3, 1300, 300],
    ]);
    expect(changes.at(-1)).toEqual({ kind: 'monthly-statistics', enterprise: 'cem01', from: at('2026-09-01T00:00:00+08:00') });
    expect((await svc.put('/api/enterprises/cem01/output/2026-09', { outputValue10kYuan: 1 }, TOKENS.alu01)).status).toBe(403);
  });

  it('reconciles the month: metered daily sums (sub-meters out) beside the entered figures', async () => {
    const h = (meter: string, carrier: string, unit: string, iso: string, quantity: number): HourlyConsumption => ({
      enterprise: 'alu01',
      meter,
      carrier,
      unit,
      hour: at(iso),
      quantity,
    });
    await svc.app.store.write({
      readings: [],
      hourly: [
        h('e-main', 'electricity', 'kWh', '2026-10-10T10:00:00+08:00', 1000),
        h('e-main', 'electricity', 'kWh', '2026-10-20T10:00:00+08:00', 500),
        h('e-sub', 'electricity', 'kWh', '2026-10-20T10:00:00+08:00', 300),
        // Outside October (site zone): 30 September 23:00 and 1 November 00:00.
        h('e-main', 'electricity', 'kWh', '2026-09-30T23:00:00+08:00', 7000),
        h('e-main', 'electricity', 'kWh', '2026-11-01T00:00:00+08:00', 9000),
        h('out', 'product', 't', '2026-10-05T08:00:00+08:00', 100),
        h('out', 'product', 't', '2026-10-25T08:00:00+08:00', 5),
      ],
    });
    await svc.app.store.settleRollups();
    const res = await svc.get('/api/enterprises/alu01/reconciliation?month=2026-10', TOKENS.alu01);
    expect(res.status).toBe(200);
    const body = res.body as { lines: Record<string, unknown>[]; version: number; tolerance: number };
    expect(body.version).toBe(2);
    expect(body.tolerance).toBe(0.05);
    // By hand: electricity 1000 + 500 = 1500 kWh (the 300 kWh sub-meter is inside e-main); gas metered, none in October: 0.
    // aluminium_liquid metered 100 + 5 = 105 t, entered 100 t: difference -5, -5/105 = -0.047619..., within 5 %.
    // raw_coal entered only: 1200 + 300 - 250 = 1250 t.
    expect(body.lines).toEqual([
      { kind: 'carrier', key: 'electricity', unit: 'kWh', metered: 1500, entered: null, difference: null, relativeDifference: null, flagged: false },
      { kind: 'carrier', key: 'natural_gas', unit: 'm3', metered: 0, entered: null, difference: null, relativeDifference: null, flagged: false },
      { kind: 'carrier', key: 'raw_coal', unit: 't', metered: null, entered: 1250, difference: null, relativeDifference: null, flagged: false },
      {
        kind: 'product',
        key: 'aluminium_liquid',
        unit: 't',
        metered: 105,
        entered: 100,
        difference: -5,
        relativeDifference: nineDigits(-5 / 105),
        flagged: false,
      },
    ]);
    // 94 t entered: -11/105 = -0.1047...: more than 5 % apart.
    await svc.put('/api/enterprises/alu01/monthly/2026-10', { products: { aluminium_liquid: { quantity: 94, unit: 't' } } });
    const flagged = (await svc.get('/api/enterprises/alu01/reconciliation?month=2026-10')).body as { lines: Record<string, unknown>[] };
    expect(flagged.lines.find((l) => l.key === 'aluminium_liquid')).toMatchObject({ metered: 105, entered: 94, difference: -11, flagged: true });
    expect((await svc.get('/api/enterprises/cem01/reconciliation?month=2026-10', TOKENS.alu01)).status).toBe(404);
    expect((await svc.get('/api/enterprises/alu01/reconciliation?month=October')).status).toBe(400);
  });
});
