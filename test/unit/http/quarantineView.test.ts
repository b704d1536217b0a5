import { quarantineView } from '../../../services/http/routes/quarantine';
import type { QuarantineRecord } from '../../../services/store/state/stateStore';

describe('quarantine API view', () => {
  const record: QuarantineRecord = {
    id: 1,
    status: 'replayed',
    attempts: 1,
    topic: 'energy/alu01/x',
    payload: '{}',
    reason: 'unknown-meter',
    detail: 'x',
    receivedAt: Date.UTC(2026, 1, 28, 16, 30),
    replayedAt: Date.UTC(2026, 2, 1, 0, 0),
  };

  it('gives receivedAt and replayedAt in the site zone, with its offset', () => {
    const v = quarantineView(record, 'Asia/Shanghai');
    expect(v.receivedAt).toBe('2026-03-01T00:30:00.000+08:00');
    expect(v.replayedAt).toBe('2026-03-01T08:00:00.000+08:00');
    expect(quarantineView(record, 'Europe/Berlin').receivedAt).toBe('2026-02-28T17:30:00.000+01:00');
  });

  it('leaves replayedAt out of an open item', () => {
    const open: QuarantineRecord = { ...record, status: 'open' };
    delete (open as { replayedAt?: number }).replayedAt;
    const v = quarantineView(open, 'Asia/Shanghai');
    expect('replayedAt' in v).toBe(false);
  });
});
