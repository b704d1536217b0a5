/** GET /api/quarantine pages, GET /api/quarantine/{id}, and a replay that reads page by page (issue 14). */
import { testConfig } from '../helpers/config';
import { authSection, startApp, TOKENS, type RunningApp } from '../helpers/app';
import type { QuarantineInput } from '../../services/store/state/stateStore';

interface Page {
  items: { id: number; payload: string; payloadTruncated?: boolean; payloadBytes?: number; enterprise?: string }[];
  total: number;
  limit: number;
  offset: number;
  order: string;
}

describe('quarantine API', () => {
  let svc: RunningApp;
  const ids: number[] = [];
  beforeAll(async () => {
    svc = await startApp(testConfig({ auth: authSection() }));
    const items: QuarantineInput[] = [];
    for (let i = 0; i < 620; i++) {
      const enterprise = i % 2 === 0 ? 'alu01' : 'cem01';
      items.push({
        topic: `energy/${enterprise}/e-main`,
        payload: i === 619 ? 'x'.repeat(5000) : `{"n":${i}}`,
        reason: 'bad-json',
        detail: `n ${i}`,
        receivedAt: Date.now(),
        enterprise,
        sourceRef: `test:${i}`,
      });
    }
    await svc.app.state.quarantine(items);
    ids.push(...(await svc.app.state.listQuarantine({ limit: 1000 })).map((r) => r.id));
  });
  afterAll(async () => svc.stop());

  it('answers 100 records by default, newest first, with the total', async () => {
    const res = await svc.get('/api/quarantine');
    const page = res.body as Page;
    expect(res.status).toBe(200);
    expect(page).toMatchObject({ total: 620, limit: 100, offset: 0, order: 'newest' });
    expect(page.items.map((i) => i.id)).toEqual(ids.slice(-100).reverse());
  });

  it('caps a page at 500 and pages with offset; oldest first on request', async () => {
    expect((await svc.get('/api/quarantine?limit=501')).status).toBe(400);
    const last = (await svc.get('/api/quarantine?limit=500&offset=500')).body as Page;
    expect(last.items.map((i) => i.id)).toEqual(ids.slice(0, 120).reverse());
    const oldest = (await svc.get('/api/quarantine?limit=3&order=oldest')).body as Page;
    expect(oldest.items.map((i) => i.id)).toEqual(ids.slice(0, 3));
  });

  it('cuts long payloads in lists and gives the record whole by id', async () => {
    const newest = ((await svc.get('/api/quarantine?limit=1')).body as Page).items[0]!;
    expect(newest).toMatchObject({ payloadTruncated: true, payloadBytes: 5000 });
    expect(newest.payload).toHaveLength(2048);
    const whole = await svc.get(`/api/quarantine/${newest.id}`);
    expect((whole.body as { payload: string }).payload).toHaveLength(5000);
    expect((await svc.get('/api/quarantine/0x11')).status).toBe(400);
  });

  it('an enterprise manager sees its own records only, also by id', async () => {
    const own = (await svc.get('/api/quarantine?limit=500&enterprise=cem01', TOKENS.alu01)).body as Page;
    expect(own.total).toBe(310);
    expect(own.items.every((i) => i.enterprise === 'alu01')).toBe(true);
    const cemRecord = ids[1]!; // odd: cem01
    expect((await svc.get(`/api/quarantine/${cemRecord}`, TOKENS.alu01)).status).toBe(404);
    expect((await svc.get(`/api/quarantine/${ids[0]!}`, TOKENS.alu01)).status).toBe(200);
  });

  it('replays every open record page by page (620 > one page of 500)', async () => {
    const res = await svc.post('/api/quarantine/replay', { all: true });
    const body = res.body as { requested: number; replayed: number[]; stillRejected: { id: number; reason: string }[] };
    expect(body.requested).toBe(620);
    expect(body.stillRejected).toHaveLength(620);
    expect(new Set(body.stillRejected.map((r) => r.id))).toEqual(new Set(ids));
  });

  it('a record of several elements stores those that decode now and keeps only the rest', async () => {
    const ts = Date.parse('2026-11-02T00:00:00+08:00');
    const payload = JSON.stringify([
      { meter: 'e-main', ts, value: 10 },
      { meter: 'ghost', ts, value: 2 },
      { meter: 'e-main', ts: ts + 900_000, value: 11 },
    ]);
    await svc.app.state.quarantine([
      {
        topic: 'energy/alu01',
        payload,
        reason: 'unknown-meter',
        detail: 'elements 0-2 kept together',
        receivedAt: ts,
        enterprise: 'alu01',
        sourceRef: 'test:partial',
      },
    ]);
    const id = (await svc.app.state.listQuarantine({ limit: 1, order: 'newest' }))[0]!.id;
    const res = await svc.post('/api/quarantine/replay', { ids: [id] });
    expect(res.body).toMatchObject({ requested: 1, replayed: [], stillRejected: [{ id, reason: 'unknown-meter' }] });
    const stored = await svc.app.store.readings({ enterprise: 'alu01', meter: 'e-main' }, ts, ts + 3_600_000);
    expect(stored.map((r) => r.value)).toEqual([10, 11]);
    const kept = (await svc.app.state.quarantineRecord(id))!;
    expect(JSON.parse(kept.payload)).toEqual([{ meter: 'ghost', ts, value: 2 }]);
    expect(kept.detail).toMatch(
      /^2 elements stored by a replay; 1 still rejected, kept here \(first: element 1: no meter "ghost" in enterprise alu01\)$/,
    );
    expect(kept.status).toBe('open');
  });
});
