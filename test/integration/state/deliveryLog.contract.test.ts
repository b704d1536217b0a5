/**
 * The delivery log's contract, held on SQLite and PostgreSQL (SqlDeliveryLog) and by the in-memory
 * log that tests and a run without a state directory use: append-only, newest first, filters and
 * limits, values round-tripping identically.
 */
import { MemoryDeliveryLog, SqlDeliveryLog, type DeliveryLog, type DeliveryRecord } from '../../../services/store/state/deliveryLog';
import { describeStateEngines } from '../../helpers/stateDb';

const attempt = (n: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  channel: 'email',
  target: `officer${n}@example.cn`,
  subject: `alarm ${n}`,
  alarmIds: [n],
  status: 'sent',
  attempts: 1,
  at: 1000 + n,
  ...over,
});

/** What every DeliveryLog does; `make` gives an empty log. */
function behavesAsDeliveryLog(make: () => Promise<DeliveryLog>): void {
  it('lists attempts newest first, with ascending ids, each as recorded', async () => {
    const log = await make();
    expect(await log.list()).toEqual([]);
    await log.record(attempt(1));
    await log.record(attempt(2, { status: 'failed', lastError: 'SMTP 550 mailbox unavailable', attempts: 3 }));
    await log.record(attempt(3, { channel: 'webhook', target: 'https://oapi.dingtalk.com/robot/send?access_token=***', alarmIds: [] }));
    const listed = await log.list();
    expect(listed.map((d) => d.subject)).toEqual(['alarm 3', 'alarm 2', 'alarm 1']);
    const [third, second, first] = listed.map((d) => d.id ?? 0);
    expect(second).toBeGreaterThan(first!);
    expect(third).toBeGreaterThan(second!);
    expect(listed).toEqual([
      { ...attempt(3, { channel: 'webhook', target: 'https://oapi.dingtalk.com/robot/send?access_token=***', alarmIds: [] }), id: third },
      { ...attempt(2, { status: 'failed', lastError: 'SMTP 550 mailbox unavailable', attempts: 3 }), id: second },
      { ...attempt(1), id: first },
    ]);
    // No error: no lastError key at all.
    expect(Object.keys(listed[2]!)).not.toContain('lastError');
  });

  it('filters by status and limits to the newest (100 by default)', async () => {
    const log = await make();
    for (let n = 1; n <= 105; n++) await log.record(attempt(n, { status: n % 3 === 0 ? 'retrying' : n % 5 === 0 ? 'failed' : 'sent' }));
    const all = await log.list();
    expect(all).toHaveLength(100);
    expect(all[0]?.subject).toBe('alarm 105');
    expect(all[99]?.subject).toBe('alarm 6');
    expect((await log.list({ limit: 3 })).map((d) => d.subject)).toEqual(['alarm 105', 'alarm 104', 'alarm 103']);
    // failed: multiples of 5 that are not multiples of 3.
    expect((await log.list({ status: 'failed', limit: 4 })).map((d) => d.subject)).toEqual(['alarm 100', 'alarm 95', 'alarm 85', 'alarm 80']);
    expect(await log.list({ status: 'retrying' })).toHaveLength(35);
    expect((await log.list({ status: 'sent' })).every((d) => d.status === 'sent')).toBe(true);
    expect(await log.list({ status: 'sent' })).toHaveLength(105 - 35 - 14);
  });

  it('round-trips large times, many alarm ids and non-ASCII text', async () => {
    const log = await make();
    const d = attempt(1, {
      at: 1_767_225_600_123,
      alarmIds: Array.from({ length: 300 }, (_, i) => 1_000_000 + i),
      subject: '【能耗告警】铝业一厂 月度配额 92%',
      lastError: "421 'try later' ?",
      status: 'retrying',
      attempts: 2,
    });
    await log.record(d);
    const [got] = await log.list();
    expect(got).toEqual({ ...d, id: got?.id });
  });
}

describeStateEngines('SqlDeliveryLog', (engine) => {
  behavesAsDeliveryLog(async () => new SqlDeliveryLog(await engine.fresh()));

  it('keeps attempts recorded by two instances, each once, and across a restart', async () => {
    const first = await engine.fresh();
    const here = new SqlDeliveryLog(first);
    const there = new SqlDeliveryLog(await engine.reopen(first));
    await Promise.all([1, 2, 3, 4].map((n) => (n % 2 ? here : there).record(attempt(n))));
    const again = new SqlDeliveryLog(await engine.reopen(first));
    const listed = await again.list();
    expect(listed.map((d) => d.subject).sort()).toEqual(['alarm 1', 'alarm 2', 'alarm 3', 'alarm 4']);
    expect(new Set(listed.map((d) => d.id)).size).toBe(4);
    // Newest first means by id, whichever instance wrote it.
    const idsListed = listed.map((d) => d.id ?? 0);
    expect(idsListed).toEqual([...idsListed].sort((a, b) => b - a));
  });
});

describe('MemoryDeliveryLog', () => {
  behavesAsDeliveryLog(async () => new MemoryDeliveryLog());
});
