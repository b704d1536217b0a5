/**
 * The alarm lifecycle: conditions in, transitions out. One open alarm per (type, enterprise,
 * meter); raised when a condition starts, escalated when its severity rises (and notified again),
 * updated quietly when figures change or the severity falls, cleared when the condition ends.
 * Nothing is re-sent while an alarm stays open at the same or a lower severity (contract 7).
 */
import type { AlarmStore } from '../services/store/alarmStore';
import type { Logger } from '../services/log';
import { SEVERITY_RANK, type Alarm, type AlarmTransition } from './alarm';
import type { Condition } from './conditions';

export interface AlarmSink {
  notify(transitions: readonly AlarmTransition[]): void;
}

export class AlarmManager {
  constructor(private readonly deps: { alarms: AlarmStore; sinks: readonly AlarmSink[]; logger: Logger }) {}

  /**
   * Applies conditions evaluated at `at`; returns the transitions (also handed to every sink).
   * With `complete`, the conditions are every key the rules know: any other open alarm clears.
   */
  apply(conditions: readonly Condition[], at: number, options: { complete?: boolean } = {}): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    if (options.complete) {
      const keys = new Set(conditions.map((c) => `${c.type}\u0000${c.enterprise}\u0000${c.meter ?? ''}`));
      for (const a of this.deps.alarms.openAlarms()) {
        if (!keys.has(`${a.type}\u0000${a.enterprise}\u0000${a.meter ?? ''}`)) transitions.push({ kind: 'cleared', alarm: this.deps.alarms.clear(a.id, at), at });
      }
    }
    for (const c of conditions) {
      const open = this.deps.alarms.open(c.type, c.enterprise, c.meter);
      if (c.severity === null) {
        if (open) transitions.push({ kind: 'cleared', alarm: this.deps.alarms.clear(open.id, at), at });
        continue;
      }
      const alarmInput = { ...c, severity: c.severity };
      if (!open) {
        transitions.push({ kind: 'raised', alarm: this.deps.alarms.raise(alarmInput, at), at });
        continue;
      }
      const rises = SEVERITY_RANK[c.severity] > SEVERITY_RANK[open.severity];
      if (rises || this.changed(open, c)) {
        const updated = this.deps.alarms.update(open.id, alarmInput, at, rises);
        if (rises) transitions.push({ kind: 'escalated', alarm: updated, previousSeverity: open.severity, at });
      }
    }
    if (transitions.length > 0) {
      this.deps.logger.info({ transitions: transitions.map((t) => ({ kind: t.kind, id: t.alarm.id, type: t.alarm.type, enterprise: t.alarm.enterprise, meter: t.alarm.meter, severity: t.alarm.severity })) }, 'alarm transitions');
      for (const sink of this.deps.sinks) {
        try {
          sink.notify(transitions);
        } catch (err) {
          // A notifier must never stop the evaluation; the failure is logged and recorded by the sink.
          this.deps.logger.error({ err }, 'alarm sink failed');
        }
      }
    }
    return transitions;
  }

  private changed(open: Alarm, c: Condition): boolean {
    return open.severity !== c.severity || open.value !== c.value || open.threshold !== c.threshold || open.message !== c.message;
  }
}
