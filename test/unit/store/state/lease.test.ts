import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Lease } from '../../../../services/store/state/lease';
import { silentLogger } from '../../../../services/core/log';

describe('lease in the state store', () => {
  let dir: string;
  let file: string;
  let clock: number;
  const now = () => clock;
  const leases: Lease[] = [];
  const lease = (holder: string, extra: { ttlMs?: number; renewMs?: number; onChange?: (held: boolean) => void } = {}) => {
    const l = new Lease(
      { path: file, name: 'rules', holder, ttlMs: extra.ttlMs ?? 30_000, renewMs: extra.renewMs ?? 10_000 },
      { logger: silentLogger(), now, ...(extra.onChange && { onChange: extra.onChange }) },
    );
    leases.push(l);
    return l;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lease-'));
    file = path.join(dir, 'state.db');
    clock = Date.parse('2026-11-28T08:00:00Z');
  });
  afterEach(async () => {
    for (const l of leases.splice(0)) await l.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('only one of two holders on one file holds it; renewing keeps it', () => {
    const a = lease('a');
    const b = lease('b');
    a.open();
    b.open();
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect([a.held, b.held]).toEqual([true, false]);
    // a renews every 10 s: b never gets in, however long.
    for (let i = 0; i < 10; i++) {
      clock += 10_000;
      expect(a.tryAcquire()).toBe(true);
      expect(b.tryAcquire()).toBe(false);
    }
    expect(b.state()).toMatchObject({ held: false, currentHolder: 'a' });
  });

  it('after release the other takes over at once', () => {
    const changes: boolean[] = [];
    const a = lease('a', { onChange: (h) => changes.push(h) });
    const b = lease('b');
    a.open();
    b.open();
    expect(a.tryAcquire()).toBe(true);
    a.release();
    expect(a.held).toBe(false);
    expect(b.tryAcquire()).toBe(true);
    expect(a.tryAcquire()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('after expiry (the holder died without releasing) the other takes over; the old holder knows it lost it', () => {
    const a = lease('a');
    const b = lease('b');
    a.open();
    b.open();
    expect(a.tryAcquire()).toBe(true);
    clock += 29_999;
    expect(b.tryAcquire()).toBe(false);
    expect(a.held).toBe(true);
    clock += 1;
    // a's own clock says its lease lapsed, before anyone else takes it.
    expect(a.held).toBe(false);
    expect(b.tryAcquire()).toBe(true);
    expect(a.tryAcquire()).toBe(false);
    expect(a.held).toBe(false);
  });

  it('start() tries at once, stop() releases, and a standby on its timer takes over', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const a = lease('a', { ttlMs: 3000, renewMs: 1000 });
      const b = lease('b', { ttlMs: 3000, renewMs: 1000 });
      await a.start();
      await b.start();
      expect([a.held, b.held]).toEqual([true, false]);
      await a.stop();
      expect(b.held).toBe(false);
      clock += 1000;
      jest.advanceTimersByTime(1000);
      expect(b.held).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('the row in state.db is the truth: a holder written by another process is respected until it lapses', () => {
    const a = lease('a');
    a.open();
    const other = new Database(file);
    try {
      other.prepare('INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)').run('rules', 'host/42/other', clock + 5000);
      expect(a.tryAcquire()).toBe(false);
      expect(a.state()).toMatchObject({ held: false, currentHolder: 'host/42/other', expiresAt: clock + 5000 });
      clock += 5000;
      expect(a.tryAcquire()).toBe(true);
      expect(other.prepare('SELECT holder, expires_at AS expiresAt FROM leases WHERE name = ?').get('rules')).toEqual({
        holder: 'a',
        expiresAt: clock + 30_000,
      });
    } finally {
      other.close();
    }
  });

  it('refuses a renewal period not below the TTL', () => {
    expect(() => lease('a', { ttlMs: 1000, renewMs: 1000 })).toThrow(RangeError);
  });
});
