/**
 * Meter events through real HTTP (contract 8.1): 201 with who and when, the list with retractions
 * marked, retraction by an admin, 422 with every problem, 403 for roles that may not, 404 for an
 * enterprise token asking about another enterprise.
 */
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { nineDigits } from '../helpers/figures';

const NOW = Date.parse('2026-11-28T08:00:00+08:00');
const BASE = '/api/enterprises/alu01/meters/e-main/events';

interface EventView {
  id: number;
  type: string;
  at: string;
  recordedBy: string;
  recordedAt: string;
  retracted: boolean;
  retractedBy: string | null;
  retractedAt: string | null;
  [field: string]: unknown;
}
interface ErrorView {
  error: { code: string; message: string; problems: string[] };
}

describe('meter events API (contract 8.1)', () => {
  let svc: RunningApp;
  const del = async (path: string, token: string) => {
    const res = await fetch(`${svc.baseUrl}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }), {}, { now: () => NOW });
  });
  afterAll(async () => svc?.stop());

  it('records a calibration and a replacement (201 with id, recordedBy, recordedAt in the site zone), lists them, retracts one', async () => {
    const cal = await svc.post(
      BASE,
      { type: 'calibration', at: '2026-10-12T10:00:00+08:00', validUntil: '2027-10-11', certificate: 'JD-2026-0412', note: '检定' },
      TOKENS.officer,
    );
    expect(cal.status).toBe(201);
    expect(cal.body).toEqual({
      id: expect.any(Number),
      enterprise: 'alu01',
      meter: 'e-main',
      type: 'calibration',
      at: '2026-10-12T10:00:00.000+08:00',
      validUntil: '2027-10-11',
      certificate: 'JD-2026-0412',
      note: '检定',
      recordedBy: 'officer',
      recordedAt: '2026-11-28T08:00:00.000+08:00',
      retracted: false,
      retractedBy: null,
      retractedAt: null,
    });
    // The same instant in UTC is the same event time, printed in the site zone.
    const rep = await svc.post(BASE, { type: 'replace', at: '2026-10-01T16:00:00Z', oldFinalRegister: 950, newInitialRegister: 0, multiplier: 4 });
    expect(rep.status).toBe(201);
    expect(rep.body).toMatchObject({
      type: 'replace',
      at: '2026-10-02T00:00:00.000+08:00',
      oldFinalRegister: 950,
      newInitialRegister: 0,
      multiplier: 4,
      recordedBy: 'admin',
    });
    const repId = (rep.body as EventView).id;
    // The meter list shows the multiplier in force now (28 Nov: the replacement's 4), not the YAML's 2.
    const inForce = async () =>
      ((await svc.get('/api/enterprises/alu01')).body as { meters: { id: string; multiplier: number }[] }).meters.find((m) => m.id === 'e-main')!
        .multiplier;
    expect(await inForce()).toBe(4);

    const list = await svc.get(BASE, TOKENS.alu01);
    expect(list.status).toBe(200);
    expect((list.body as EventView[]).map((e) => `${e.type} ${e.at}`)).toEqual([
      'replace 2026-10-02T00:00:00.000+08:00',
      'calibration 2026-10-12T10:00:00.000+08:00',
    ]);

    expect((await del(`${BASE}/${repId}`, TOKENS.officer)).status).toBe(403);
    const gone = await del(`${BASE}/${repId}`, TOKENS.admin);
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ id: repId, retracted: true, retractedBy: 'admin', retractedAt: '2026-11-28T08:00:00.000+08:00' });
    expect(await inForce()).toBe(2);
    const after = (await svc.get(BASE)).body as EventView[];
    expect(after.map((e) => `${e.type} ${e.retracted}`)).toEqual(['replace true', 'calibration false']);
    expect((await del(`${BASE}/999999`, TOKENS.admin)).status).toBe(404);
  });

  it('answers 422 with every problem: shape and ledger problems together', async () => {
    // On a power meter, in the future, with a register that is no number.
    const res = await svc.post('/api/enterprises/alu01/meters/e-pot/events', {
      type: 'replace',
      at: '2027-01-01T00:00:00+08:00',
      oldFinalRegister: 'x',
      newInitialRegister: 5,
    });
    expect(res.status).toBe(422);
    const { error } = res.body as ErrorView;
    expect(error.code).toBe('unprocessable');
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^oldFinalRegister: /),
        'at is in the future',
        'newInitialRegister: a power meter has no register',
      ]),
    );
    expect(error.problems).toHaveLength(3);
  });

  it('records a replacement of a power meter without registers; a counter meter needs both (issue 19)', async () => {
    const power = await svc.post('/api/enterprises/alu01/meters/e-pot/events', {
      type: 'replace',
      at: '2026-10-05T09:00:00+08:00',
      multiplier: 2,
      note: '换表',
    });
    expect(power.status).toBe(201);
    expect(power.body).toMatchObject({ type: 'replace', at: '2026-10-05T09:00:00.000+08:00', multiplier: 2, note: '换表' });
    expect(power.body).not.toHaveProperty('oldFinalRegister');
    expect(power.body).not.toHaveProperty('newInitialRegister');

    const counter = await svc.post('/api/enterprises/cem01/meters/e-main/events', { type: 'replace', at: '2026-10-05T09:00:00+08:00' });
    expect(counter.status).toBe(422);
    expect((counter.body as ErrorView).error.problems).toEqual([
      "oldFinalRegister is required for a counter meter (the old meter's last register)",
      "newInitialRegister is required for a counter meter (the new meter's first register)",
    ]);
  });

  it('answers 422 for an unknown meter, an instant without offset, and two replacements at one instant', async () => {
    const unknown = await svc.post('/api/enterprises/alu01/meters/nope/events', {
      type: 'calibration',
      at: '2026-10-12T10:00:00+08:00',
      validUntil: '2027-10-11',
    });
    expect(unknown.status).toBe(422);
    expect((unknown.body as ErrorView).error.problems).toEqual(['meter: no meter "nope" in enterprise alu01']);

    const noOffset = await svc.post(BASE, { type: 'calibration', at: '2026-10-12T10:00:00', validUntil: '2027-02-30' });
    expect(noOffset.status).toBe(422);
    expect((noOffset.body as ErrorView).error.problems).toEqual([
      expect.stringMatching(/^at: must be ISO-8601 with an offset/),
      'validUntil: is not a calendar date',
    ]);

    const first = await svc.post(BASE, { type: 'multiplier', at: '2026-11-01T00:00:00+08:00', register: 300, multiplier: 3 });
    expect(first.status).toBe(201);
    const clash = await svc.post(BASE, { type: 'replace', at: '2026-11-01T00:00:00+08:00', oldFinalRegister: 300, newInitialRegister: 0 });
    expect(clash.status).toBe(422);
    expect((clash.body as ErrorView).error.problems).toEqual([expect.stringContaining('already in force at the same instant')]);

    const unknownType = await svc.post(BASE, { type: 'repair', at: '2026-11-01T00:00:00+08:00' });
    expect((unknownType.body as ErrorView).error.problems).toEqual(['type: must be one of replace, multiplier, decommission, calibration']);
  });

  it('403 for the auditor and an enterprise token writing, 404 for another enterprise or an unknown one', async () => {
    const body = { type: 'calibration', at: '2026-10-12T10:00:00+08:00', validUntil: '2027-10-11' };
    expect((await svc.post(BASE, body, TOKENS.auditor)).status).toBe(403);
    expect((await svc.post(BASE, body, TOKENS.alu01)).status).toBe(403);
    expect((await svc.post('/api/enterprises/cem01/meters/e-main/events', body, TOKENS.alu01)).status).toBe(404);
    expect((await svc.get('/api/enterprises/cem01/meters/e-main/events', TOKENS.alu01)).status).toBe(404);
    expect((await del('/api/enterprises/cem01/meters/e-main/events/1', TOKENS.alu01)).status).toBe(404);
    expect((await svc.post('/api/enterprises/nobody/meters/e-main/events', body)).status).toBe(404);
    expect((await svc.get('/api/enterprises/alu01/meters/nope/events')).status).toBe(404);
    expect((await svc.get('/api/enterprises/alu01/meters/e-main/events', null)).status).toBe(401);
  });

  it('shows calibration and decommission in the meter lists, stops completeness at the decommission, quarantines later readings', async () => {
    const GAS = '/api/enterprises/alu01/meters/gas/events';
    const day = Date.parse('2026-11-19T00:00:00+08:00');
    // 96 readings of 900 s on 19 November, all before the decommission on 20 November 00:00.
    const readings = Array.from({ length: 96 }, (_, i) => ({
      enterprise: 'alu01',
      meter: 'gas',
      ts: day + i * 900_000,
      value: 1,
      quality: 'good' as const,
    }));
    await svc.app.store.write({ readings, hourly: [] });
    expect((await svc.post(GAS, { type: 'calibration', at: '2026-01-05T09:00:00+08:00', validUntil: '2026-12-31' })).status).toBe(201);
    expect((await svc.post(GAS, { type: 'decommission', at: '2026-11-20T00:00:00+08:00' })).status).toBe(201);

    const list = (await svc.get('/api/enterprises', TOKENS.auditor)).body as {
      id: string;
      meters: { id: string; calibrationValidUntil: string | null; decommissionedAt: string | null }[];
    }[];
    const meters = list.find((e) => e.id === 'alu01')!.meters;
    expect(meters.find((m) => m.id === 'gas')).toMatchObject({
      calibrationValidUntil: '2026-12-31',
      decommissionedAt: '2026-11-20T00:00:00.000+08:00',
    });
    expect(meters.find((m) => m.id === 'e-pot')).toMatchObject({ calibrationValidUntil: null, decommissionedAt: null });

    const overview = (await svc.get('/api/enterprises/alu01/meters')).body as { meters: Record<string, unknown>[] };
    // Month: in service 1 Nov 00:00 -> 20 Nov 00:00 = 19 days = 1,824 intervals of 900 s; 96 / 1,824 = 1/19.
    // Today (28 Nov) it was out of service all day: null, and never silent.
    expect(overview.meters.find((m) => m.id === 'gas')).toMatchObject({
      completenessToday: null,
      silent: false,
      decommissionedAt: '2026-11-20T00:00:00.000+08:00',
      calibrationValidUntil: '2026-12-31',
    });
    expect(overview.meters.find((m) => m.id === 'gas')!.completenessMonth).toBe(nineDigits(1 / 19));

    // A reading after the decommission goes to the quarantine with its reason; one before is stored.
    const ts = Date.parse('2026-11-21T00:00:00+08:00');
    await svc.app.pipeline.accept({ topic: 'energy/alu01/gas', payload: JSON.stringify({ ts, value: 3 }), receivedAt: NOW });
    await svc.settle();
    const q = (await svc.get('/api/quarantine?enterprise=alu01')).body as { items: { reason: string; meter: string; detail: string }[] };
    expect(q.items.filter((i) => i.meter === 'gas').map((i) => i.reason)).toEqual(['decommissioned']);
  });
});
