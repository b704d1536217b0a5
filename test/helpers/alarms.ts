/** Alarm transitions for notifier tests. */
import type { Alarm, AlarmTransition } from '../../services/energy/alarm';

export const TRANSITION_AT = Date.parse('2026-11-28T08:00:00+08:00');

/** Makes transitions with ids counting up from `firstId`: a quota alarm unless overridden. */
export function transitionFactory(firstId: number): (over?: Partial<Alarm>, kind?: AlarmTransition['kind']) => AlarmTransition {
  let nextId = firstId;
  return (over = {}, kind = 'raised') => {
    const alarm: Alarm = {
      id: nextId++,
      type: 'quota',
      enterprise: 'alu01',
      meter: null,
      severity: 'critical',
      state: 'active',
      value: 52340.5,
      threshold: 52000,
      unit: 'tce',
      periodFrom: '2026-01-01T00:00:00+08:00',
      periodTo: '2026-11-28T08:00:00+08:00',
      raisedAt: TRANSITION_AT,
      updatedAt: TRANSITION_AT,
      clearedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      message: '',
      ...over,
    };
    return { kind, alarm, at: TRANSITION_AT };
  };
}

/** Polls a condition every 10 ms until it holds, or fails naming what it waited for. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
