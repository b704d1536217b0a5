import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AlarmStore, type NewAlarm } from '../../../../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../../../../services/store/state/monthlyStatisticsStore';

const quota = (severity: 'warning' | 'critical', value: number): NewAlarm => ({
  type: 'quota',
  enterprise: 'alu01',
  meter: null,
  severity,
  value,
  threshold: 0.9,
  unit: 'share',
  message: `share ${value}`,
});

describe('AlarmStore', () => {
  let dir: string;
  let store: AlarmStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'alarms-'));
    store = new AlarmStore({ path: path.join(dir, 'state.db') });
    await store.start();
  });
  afterEach(async () => {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one open alarm per (type, enterprise, meter)', () => {
    const a = store.raise(quota('warning', 0.92), 1000);
    expect(() => store.raise(quota('warning', 0.93), 2000)).toThrow(/UNIQUE/);
    expect(store.open('quota', 'alu01', null)?.id).toBe(a.id);
    // A meter alarm of the same type is another key.
    const m = store.raise({ ...quota('warning', 1), type: 'silence', meter: 'e-main' }, 1000);
    expect(store.open('silence', 'alu01', 'e-main')?.id).toBe(m.id);
    store.clear(a.id, 3000);
    expect(store.open('quota', 'alu01', null)).toBeUndefined();
    expect(store.raise(quota('critical', 1.01), 4000).id).not.toBe(a.id);
  });

  it('records who acknowledged and when; an escalation makes the alarm active again', () => {
    const a = store.raise(quota('warning', 0.92), 1000);
    expect(store.acknowledge(a.id, 'officer', 1500)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'officer', acknowledgedAt: 1500 });
    expect(store.acknowledge(a.id, 'officer', 1600)).toBeUndefined(); // already acknowledged
    const up = store.update(a.id, quota('critical', 1.01), 2000, true);
    expect(up).toMatchObject({ state: 'active', severity: 'critical', value: 1.01, acknowledgedBy: null, raisedAt: 1000, updatedAt: 2000 });
    const cleared = store.clear(a.id, 3000);
    expect(cleared).toMatchObject({ state: 'cleared', clearedAt: 3000 });
    expect(store.list({ state: 'all' }).map((x) => x.id)).toEqual([a.id]);
    expect(store.list()).toEqual([]);
  });

  it('survives a restart', async () => {
    const a = store.raise(quota('warning', 0.92), 1000);
    await store.stop();
    store = new AlarmStore({ path: path.join(dir, 'state.db') });
    await store.start();
    expect(store.open('quota', 'alu01', null)?.id).toBe(a.id);
  });
});

describe('MonthlyStatisticsStore', () => {
  it('keeps output values across a restart, in the same state database as the alarms', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'outputs-'));
    let outputs = new MonthlyStatisticsStore({ path: path.join(dir, 'state.db') });
    await outputs.start();
    outputs.put('alu01', '2026-01', { outputValue10kYuan: 12345.5 }, 'officer', 1000);
    await outputs.stop();
    outputs = new MonthlyStatisticsStore({ path: path.join(dir, 'state.db') });
    await outputs.start();
    expect(outputs.outputs(['alu01'], '2026-01', '2026-12')).toEqual([{ enterprise: 'alu01', month: '2026-01', value10kYuan: 12345.5 }]);
    await outputs.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});
