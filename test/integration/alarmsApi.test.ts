/**
 * Status, output values and alarms through the HTTP API of the running service (contract 5):
 * readings published over MQTT, a rule cycle at a fixed instant, acknowledgement by role.
 */
import ExcelJS from 'exceljs';
import mqtt from 'mqtt';
import type { Alarm } from '../../services/energy/alarm';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { nineDigits } from '../helpers/figures';
import { parseCsv } from '../helpers/csv';

const at = (iso: string) => Date.parse(iso);
const config = testConfig({
  auth: authSection(),
  enterprises: [
    {
      id: 'alu01',
      name: '重庆示例铝业有限公司',
      industry: '3216',
      tariff: 'al',
      // 100,000 kWh = 12.29 tce; by 2026-07-02 12:00 (f = 0.5) a cap of 20 tce gives share 0.6145, pace 1.229.
      quotas: [{ year: 2026, totalTce: 20, intensityLimit: 0.01 }],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 },
        { id: 'out', carrier: 'product', unit: 't', kind: 'counter', intervalSeconds: 900 },
        { id: 'pot', carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 60, submeter: true },
      ],
    },
    { id: 'cem01', name: '测试水泥', industry: '3011', meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
  tariffs: [{ id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 }],
  rules: { thresholds: [{ enterprise: 'alu01', meter: 'pot', above: 40000, forSeconds: 240, severity: 'critical' }] },
});

describe('status, output and alarms API', () => {
  let svc: RunningApp;
  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => at('2026-07-02T12:00:00+08:00') });
    const gw = await mqtt.connectAsync(svc.mqttUrl, { username: 'alu01', password: MQTT_PASSWORDS.alu01, reconnectPeriod: 0 });
    // Registers at 1 March 00:00 and 2 March 00:00: 100,000 kWh and 7.4 t of aluminium that day.
    await gw.publishAsync(
      'energy/alu01',
      JSON.stringify([
        { meter: 'e-main', ts: '2026-03-01T00:00:00+08:00', value: 0 },
        { meter: 'e-main', ts: '2026-03-02T00:00:00+08:00', value: 100_000 },
        { meter: 'out', ts: '2026-03-01T00:00:00+08:00', value: 0 },
        { meter: 'out', ts: '2026-03-02T00:00:00+08:00', value: 7.4 },
      ]),
      { qos: 1 },
    );
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const res = await svc.get('/api/enterprises/alu01/consumption?every=1mo&from=2026-03-01&to=2026-04-01');
      expect((res.body as { series: unknown[] }).series).toHaveLength(2);
    });
  });
  afterAll(async () => svc.stop());

  it('answers status at any past instant with the contract figures', async () => {
    const res = await svc.get('/api/enterprises/alu01/status?at=2026-07-02T12:00:00%2B08:00');
    expect(res.status).toBe(200);
    const body = res.body as { quota: Record<string, unknown>; intensity: Record<string, unknown>; tariff: Record<string, unknown> };
    expect(body.quota).toMatchObject({ year: 2026, totalTce: 20, level: 'red' });
    expect(body.quota.ytdTce).toBeCloseTo(12.29, 9);
    expect(body.quota.share).toBeCloseTo(0.6145, 9);
    expect(body.quota.pace).toBeCloseTo(1.229, 9);
    // 100,000 / 7.4 = 13,513.5 kWh/t: 213.5 over 13,300 is 10.7 steps -> 11 x 0.01 = 0.11 yuan/kWh, 11,000 yuan.
    expect(body.tariff).toMatchObject({ scheme: 'step', markupYuanPerKwh: 0.11, surchargeYuan: 11_000 });
    // API figures keep 9 significant digits (contract 8): 13,513.5135.
    expect(body.tariff.unitConsumption).toBe(nineDigits(100_000 / 7.4));
    expect(body.intensity).toMatchObject({ intensity: null, note: 'no-output' });
    // Halfway through 1 March, the interpolated register is 50,000 kWh: share 6.145 / 20.
    const mid = await svc.get('/api/enterprises/alu01/status?at=2026-03-01T12:00:00%2B08:00');
    expect((mid.body as { quota: { ytdTce: number } }).quota.ytdTce).toBeCloseTo(6.145, 9);
    expect((await svc.get('/api/enterprises/alu01/status?at=2027-01-01T00:00:00%2B08:00')).status).toBe(400); // in the future
  });

  it('takes output values from officers, not auditors, and computes intensity from them', async () => {
    expect((await svc.put('/api/enterprises/alu01/output/2026-03', { outputValue10kYuan: 1000 }, TOKENS.auditor)).status).toBe(403);
    expect((await svc.put('/api/enterprises/alu01/output/2026-13', { outputValue10kYuan: 1000 }, TOKENS.officer)).status).toBe(400);
    const ok = await svc.put('/api/enterprises/alu01/output/2026-03', { outputValue10kYuan: 1000 }, TOKENS.officer);
    expect(ok.body).toMatchObject({ enterprise: 'alu01', month: '2026-03', outputValue10kYuan: 1000, enteredBy: 'officer' });
    const status = await svc.get('/api/enterprises/alu01/status?at=2026-07-02T12:00:00%2B08:00');
    // 12.29 tce / 1,000 x 10^4 yuan = 0.01229 against 0.01: ratio 1.229 -> red.
    expect((status.body as { intensity: Record<string, unknown> }).intensity).toMatchObject({ level: 'red', limit: 0.01 });
  });

  it('evaluates threshold rules on each stored reading, without waiting for the cycle', async () => {
    const gw = await mqtt.connectAsync(svc.mqttUrl, { username: 'alu01', password: MQTT_PASSWORDS.alu01, reconnectPeriod: 0 });
    // 42,000 kW every minute from 11:55 to 12:00: above 40,000 kW for the whole 240 s before 12:00.
    const minutes = [55, 56, 57, 58, 59]
      .map((m) => ({ ts: `2026-07-02T11:${m}:00+08:00`, value: 42_000 }))
      .concat([{ ts: '2026-07-02T12:00:00+08:00', value: 42_000 }]);
    await gw.publishAsync('energy/alu01/pot', JSON.stringify(minutes), { qos: 1 });
    await gw.endAsync();
    await eventually(async () => {
      await svc.settle();
      const list = (await svc.get('/api/alarms?type=threshold')).body as {
        meter: string;
        severity: string;
        value: number;
        threshold: number;
        unit: string;
      }[];
      expect(list).toEqual([expect.objectContaining({ meter: 'pot', severity: 'critical', value: 42_000, threshold: 40_000, unit: 'kW' })]);
    });
  });

  it('raises alarms in a rule cycle, lists them by role, and records who acknowledged', async () => {
    await svc.app.rules.evaluate(at('2026-07-02T12:00:00+08:00'));
    const list = await svc.get('/api/alarms');
    const alarms = list.body as { id: number; type: string; severity: string; state: string; enterprise: string; raisedAt: string }[];
    expect(
      alarms
        .filter((a) => a.enterprise === 'alu01')
        .map((a) => `${a.type} ${a.severity}`)
        .sort(),
    ).toEqual(['intensity critical', 'quota critical', 'silence warning', 'silence warning', 'tariff warning', 'threshold critical']);
    // (both meters last reported on 2 March: silent for far more than 4 x 15 minutes)
    expect(alarms[0]!.raisedAt).toBe('2026-07-02T12:00:00.000+08:00');
    const quota = alarms.find((a) => a.type === 'quota')!;
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.auditor)).status).toBe(403);
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.alu01)).status).toBe(403);
    const acked = await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.officer);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer', acknowledgedAt: '2026-07-02T12:00:00.000+08:00' });
    expect((await svc.post(`/api/alarms/${quota.id}/ack`, {}, TOKENS.officer)).status).toBe(409);
    const ackedList = await svc.get('/api/alarms?state=acknowledged');
    expect((ackedList.body as { id: number }[]).map((a) => a.id)).toEqual([quota.id]);
    // The enterprise manager sees only its own enterprise's alarms (cem01 has silence alarms).
    const own = await svc.get('/api/alarms?state=all', TOKENS.alu01);
    expect((own.body as { enterprise: string }[]).every((a) => a.enterprise === 'alu01')).toBe(true);
  });
});

/**
 * The alarm history (issue 21 item 7): filters, paging, comments (处置意见) and exports, on a
 * service of its own whose history is written into the alarm store at chosen instants.
 */
describe('alarm history: filters, comments, export', () => {
  let svc: RunningApp;
  const ids: Record<'h1' | 'h2' | 'h3' | 'h4' | 'open', number> = { h1: 0, h2: 0, h3: 0, h4: 0, open: 0 };
  // May and June 2026, site zone Asia/Shanghai: every history alarm lies inside, the open one (2 July) outside.
  const WINDOW = 'from=2026-05-01&to=2026-07-01';

  beforeAll(async () => {
    svc = await startApp(config, {}, { now: () => at('2026-07-02T12:00:00+08:00') });
    // No rule cycle here: a cycle clears open alarms no rule produces (the calibration one below).
    await svc.app.rules.stop();
    const store = svc.app.alarms;
    const past = async (
      key: keyof typeof ids,
      type: Alarm['type'],
      enterprise: string,
      severity: Alarm['severity'],
      iso: string,
      message: string,
    ) => {
      const a = await store.raise({ type, enterprise, meter: null, severity, message, value: 1, threshold: 2, unit: 'kW' }, at(iso));
      await store.clear(a.id, at(iso) + 3_600_000);
      ids[key] = a.id;
    };
    await past('h1', 'threshold', 'alu01', 'warning', '2026-05-10T08:00:00+08:00', 'Z相电流越限, "A"');
    await past('h2', 'data-quality', 'alu01', 'info', '2026-05-31T23:59:59+08:00', '非有限值');
    await past('h3', 'silence', 'cem01', 'critical', '2026-06-01T00:00:00+08:00', '数据中断');
    await past('h4', 'data-quality', 'cem01', 'info', '2026-06-15T12:00:00+08:00', '重复读数');
    ids.open = (
      await store.raise(
        {
          type: 'calibration',
          enterprise: 'alu01',
          meter: 'e-main',
          severity: 'warning',
          message: '检定将到期',
          value: null,
          threshold: null,
          unit: null,
        },
        at('2026-07-02T09:00:00+08:00'),
      )
    ).id;
  });
  afterAll(async () => svc.stop());

  const listIds = async (query: string, token: string = TOKENS.officer) => {
    const res = await svc.get(`/api/alarms?${query}`, token);
    expect(res.status).toBe(200);
    return (res.body as { id: number }[]).map((a) => a.id);
  };
  const raw = async (query: string, token: string = TOKENS.officer) => {
    const res = await fetch(`${svc.baseUrl}/api/alarms?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('filters by raisedAt in [from, to) read in the site zone, newest first', async () => {
    // [2026-05-10 00:00, 2026-06-01 00:00) +08:00: h1 (10 May 08:00) and h2 (31 May 23:59:59); h3 at 1 June 00:00 is the excluded end.
    expect(await listIds('state=cleared&from=2026-05-10&to=2026-06-01')).toEqual([ids.h2, ids.h1]);
    // The same instant with an offset: 2026-05-31T16:00Z is 1 June 00:00 +08:00.
    expect(await listIds('state=cleared&from=2026-05-10&to=2026-05-31T16:00:00Z')).toEqual([ids.h2, ids.h1]);
    expect(await listIds(`state=all&${WINDOW}`)).toEqual([ids.h4, ids.h3, ids.h2, ids.h1]);
  });

  it('filters by one or several severities and types, by enterprise and by state', async () => {
    expect(await listIds(`state=all&${WINDOW}&severity=info,critical`)).toEqual([ids.h4, ids.h3, ids.h2]);
    expect(await listIds(`state=all&${WINDOW}&severity=info&severity=critical`)).toEqual([ids.h4, ids.h3, ids.h2]);
    expect(await listIds(`state=all&${WINDOW}&type=silence&type=threshold`)).toEqual([ids.h3, ids.h1]);
    expect(await listIds(`state=all&${WINDOW}&type=data-quality&severity=info&enterprise=cem01`)).toEqual([ids.h4]);
    // open = active or acknowledged (what the overview counts); the history alarms are all cleared.
    expect(await listIds('state=open&type=calibration')).toEqual([ids.open]);
    expect(await listIds('state=active&type=calibration')).toEqual([ids.open]);
    expect(await listIds('state=cleared&type=calibration')).toEqual([]);
  });

  it('pages with limit and offset and names the total in X-Total-Count', async () => {
    const res = await fetch(`${svc.baseUrl}/api/alarms?state=all&${WINDOW}&limit=2&offset=1`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('4');
    expect(((await res.json()) as { id: number }[]).map((a) => a.id)).toEqual([ids.h3, ids.h2]);
    expect(await listIds(`state=all&${WINDOW}&limit=2&offset=4`)).toEqual([]);
  });

  it('answers 400 naming the field for bad filters', async () => {
    const bad = [
      'severity=urgent',
      'type=quota,nonsense',
      'state=open-ish',
      'from=yesterday',
      'from=2026-06-01&to=2026-06-01',
      'limit=0',
      'limit=5001',
      'offset=-1',
      'format=pdf',
      'lang=fr',
      'colour=red',
    ];
    for (const q of bad) {
      const res = await svc.get(`/api/alarms?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect((res.body as { error: { code: string; message: string } }).error.code).toBe('bad-request');
    }
    expect(((await svc.get('/api/alarms?from=yesterday')).body as { error: { message: string } }).error.message).toMatch(/query\.from/);
  });

  it('keeps an enterprise token to its own alarms, in lists, single reads and exports', async () => {
    expect(await listIds(`state=all&${WINDOW}&enterprise=cem01`, TOKENS.alu01)).toEqual([ids.h2, ids.h1]);
    expect((await svc.get(`/api/alarms/${ids.h3}`, TOKENS.alu01)).status).toBe(404);
    expect((await svc.get(`/api/alarms/${ids.h1}`, TOKENS.alu01)).status).toBe(200);
    const { bytes } = await raw(`state=all&${WINDOW}&format=csv`, TOKENS.alu01);
    expect(
      parseCsv(bytes.toString('utf8').slice(1))
        .slice(1)
        .map((r) => r[4]),
    ).toEqual(['alu01', 'alu01']);
  });

  it('acknowledges with a comment, takes later notes, and never overwrites one', async () => {
    const id = ids.open;
    expect((await svc.post(`/api/alarms/${id}/ack`, { comment: 'x', extra: 1 }, TOKENS.officer)).status).toBe(400);
    expect((await svc.post(`/api/alarms/${id}/ack`, { comment: 'x'.repeat(1001) }, TOKENS.officer)).status).toBe(400);
    expect((await svc.post(`/api/alarms/${id}/ack`, { comment: '已通知' }, TOKENS.auditor)).status).toBe(403);
    // Sent with a Windows line break (CRLF): stored as a line break (LF), not refused as a control character.
    const acked = await svc.post(`/api/alarms/${id}/ack`, { comment: '  已通知企业安排检定\r\n下周完成  ' }, TOKENS.officer);
    expect(acked.status).toBe(200);
    const first = { kind: 'ack', by: 'officer', at: '2026-07-02T12:00:00.000+08:00', text: '已通知企业安排检定\n下周完成' };
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer', acknowledgedAt: first.at, notes: [first] });
    // Acknowledged once: a second acknowledgement is refused and leaves no comment behind.
    expect((await svc.post(`/api/alarms/${id}/ack`, { comment: '再次确认' }, TOKENS.admin)).status).toBe(409);
    expect((await svc.post(`/api/alarms/${id}/notes`, { comment: '   ' }, TOKENS.admin)).status).toBe(400);
    expect((await svc.post(`/api/alarms/${id}/notes`, {}, TOKENS.admin)).status).toBe(400);
    expect((await svc.post(`/api/alarms/${id}/notes`, { comment: '企业' }, TOKENS.auditor)).status).toBe(403);
    expect((await svc.post(`/api/alarms/${id}/notes`, { comment: '企业' }, TOKENS.alu01)).status).toBe(403);
    expect((await svc.post('/api/alarms/99999999/notes', { comment: '企业' }, TOKENS.admin)).status).toBe(404);
    const later = await svc.post(`/api/alarms/${id}/notes`, { comment: '检定证书 JD-2026-0412 已上传' }, TOKENS.admin);
    expect(later.status).toBe(201);
    const second = { kind: 'note', by: 'admin', at: '2026-07-02T12:00:00.000+08:00', text: '检定证书 JD-2026-0412 已上传' };
    expect((later.body as { notes: unknown[] }).notes).toEqual([first, second]);
    // The same in the list and in the single read, for every read role.
    expect((await svc.get(`/api/alarms/${id}`, TOKENS.auditor)).body).toMatchObject({ acknowledgedBy: 'officer', notes: [first, second] });
    const list = (await svc.get('/api/alarms?state=acknowledged&type=calibration', TOKENS.alu01)).body as { id: number; notes: unknown[] }[];
    expect(list).toEqual([expect.objectContaining({ id, notes: [first, second] })]);
    // A note on a cleared alarm (follow-up after the condition ended); used by the export test below.
    expect((await svc.post(`/api/alarms/${ids.h1}/notes`, { comment: '已更换互感器' }, TOKENS.officer)).status).toBe(201);
    // Without a body the acknowledgement works as before (contract 5).
    const plain = await svc.app.alarms.raise(
      { type: 'project', enterprise: 'cem01', meter: 'project:p1', severity: 'info', message: '项目', value: null, threshold: null, unit: null },
      at('2026-07-02T10:00:00+08:00'),
    );
    expect((await svc.post(`/api/alarms/${plain.id}/ack`, undefined, TOKENS.officer)).body).toMatchObject({ state: 'acknowledged', notes: [] });
  });

  it('exports the filtered history as CSV with a BOM, zone times and words, zh-CN or English', async () => {
    const { res, bytes } = await raw(`state=all&${WINDOW}&type=threshold,data-quality&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="alarms-2026-07-02.csv"');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const table = parseCsv(bytes.toString('utf8').slice(1));
    expect(table[0]).toEqual([
      '编号',
      '级别',
      '类型',
      '企业',
      '企业代码',
      '计量器具',
      '状态',
      '数值',
      '阈值',
      '单位',
      '说明',
      '发生时间 (Asia/Shanghai)',
      '解除时间 (Asia/Shanghai)',
      '确认人',
      '确认时间 (Asia/Shanghai)',
      '处置意见',
    ]);
    expect(table.slice(1).map((r) => Number(r[0]))).toEqual([ids.h4, ids.h2, ids.h1]);
    // h1: raised 10 May 08:00 +08:00 and cleared an hour later; the note was written at the service's "now".
    expect(table[3]).toEqual([
      String(ids.h1),
      '警告',
      '越限',
      '重庆示例铝业有限公司',
      'alu01',
      '',
      '已解除',
      '1',
      '2',
      'kW',
      'Z相电流越限, "A"',
      '2026-05-10 08:00:00',
      '2026-05-10 09:00:00',
      '',
      '',
      '2026-07-02 12:00:00 officer: 已更换互感器',
    ]);
    expect(table[1]!.slice(1, 4)).toEqual(['提示', '数据质量', '测试水泥']);
    const en = parseCsv((await raw(`state=all&${WINDOW}&type=threshold&format=csv&lang=en`)).bytes.toString('utf8').slice(1));
    expect(en[0]!.slice(0, 3)).toEqual(['ID', 'Severity', 'Type']);
    expect(en[1]!.slice(1, 7)).toEqual(['warning', 'Threshold', '重庆示例铝业有限公司', 'alu01', '', 'cleared']);
  });

  it('exports XLSX that reads back with the same rows', async () => {
    const { res, bytes } = await raw(`state=all&${WINDOW}&severity=critical,warning&format=xlsx&lang=en`, TOKENS.auditor);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Alarms')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(1).slice(0, 3)).toEqual(['ID', 'Severity', 'Type']);
    // critical h3 (1 June) then warning h1 (10 May); nothing else.
    expect(ws.rowCount).toBe(3);
    expect(values(2).slice(0, 7)).toEqual([ids.h3, 'critical', 'Data silence', '测试水泥', 'cem01', undefined, 'cleared']);
    expect(values(3)[11]).toBe('2026-05-10 08:00:00');
    expect(values(3)[15]).toBe('2026-07-02 12:00:00 officer: 已更换互感器');
  });

  it('caps an export at 10,000 rows and says so in the file', async () => {
    const store = svc.app.alarms;
    // 10,001 cleared info alarms in January 2025, a minute apart: one more than the cap.
    await store.transaction(async (tx) => {
      for (let i = 0; i <= 10_000; i++) {
        const a = await tx.raise(
          { type: 'data-quality', enterprise: 'cem01', meter: null, severity: 'info', message: 'bulk', value: null, threshold: null, unit: null },
          at('2025-01-01T00:00:00+08:00') + i * 60_000,
        );
        await tx.clear(a.id, a.raisedAt + 1);
      }
    });
    const { res, bytes } = await raw('state=all&from=2025-01-01&to=2025-02-01&format=csv');
    expect(res.headers.get('x-export-truncated')).toBe('true');
    expect(res.headers.get('x-total-count')).toBe('10001');
    const table = parseCsv(bytes.toString('utf8').slice(1));
    // header + 10,000 rows + a blank line + the note
    expect(table).toHaveLength(10_003);
    expect(table[10_002]).toEqual(['仅导出最新的 10000 条，共 10001 条符合条件；请缩小筛选范围（日期、级别、类型）后分批导出。']);
    // Newest first: the last alarm (i = 10,000) leads, the first (i = 0) is the one left out.
    expect(table[1]![11]).toBe('2025-01-07 22:40:00');
  });
});
