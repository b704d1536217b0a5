/**
 * The alarm lifecycle: conditions in, transitions out. One open alarm per (type, enterprise,
 * meter); raised when a condition starts, escalated when its severity rises (and notified again),
 * updated quietly when figures change or the severity falls, cleared when the condition ends.
 * Nothing is re-sent while an alarm stays open at the same or a lower severity (contract 7).
 */
import type { AlarmStore } from '../services/store/state/alarmStore';
import type { SqlExecutor } from '../services/store/state/db/sqlExecutor';
import type { Logger } from '../services/core/log';
import { SEVERITY_RANK, type Alarm, type AlarmTransition } from '../services/energy/alarm';
import type { Condition } from './conditions';

export interface AlarmSink {
  notify(transitions: readonly AlarmTransition[]): void;
}

export class AlarmManager {
  constructor(
    private readonly deps: {
      alarms: AlarmStore;
      sinks: readonly AlarmSink[];
      logger: Logger;
      /**
       * Runs inside each cycle's transaction before any write: the rules lease's fencing check, so
       * that an instance that lost the lease (paused past its TTL, cut off) raises, clears and mails nothing.
       */
      fence?: (tx: SqlExecutor) => Promise<void>;
    },
  ) {}

  /**
   * Applies conditions evaluated at `at`; returns the transitions (also handed to every sink).
   * With `complete`, the conditions are every key the rules know: any other open alarm clears.
   */
  async apply(conditions: readonly Condition[], at: number, options: { complete?: boolean } = {}): Promise<AlarmTransition[]> {
    // One transaction and one read of the open alarms: a district cycle has ~13,000 conditions,
    // and a commit per changed alarm cost an fsync each. Sinks hear of them once committed.
    const transitions = await this.deps.alarms.transaction(
      (alarms) => this.transitions(alarms, conditions, at, options.complete === true),
      this.deps.fence,
    );
    if (transitions.length > 0) this.notify(transitions);
    return transitions;
  }

  /** Runs inside the transaction: `alarms` is the store bound to it, never this.deps.alarms. */
  private async transitions(alarms: AlarmStore, conditions: readonly Condition[], at: number, complete: boolean): Promise<AlarmTransition[]> {
    const transitions: AlarmTransition[] = [];
    const keyOf = (type: string, enterprise: string, meter: string | null): string => `${type}\u0000${enterprise}\u0000${meter ?? ''}`;
    const openByKey = new Map((await alarms.openAlarms()).map((a) => [keyOf(a.type, a.enterprise, a.meter), a]));
    const clear = async (key: string, open: Alarm): Promise<void> => {
      transitions.push({ kind: 'cleared', alarm: await alarms.clear(open.id, at), at });
      openByKey.delete(key);
    };
    if (complete) {
      const keys = new Set(conditions.map((c) => keyOf(c.type, c.enterprise, c.meter)));
      for (const [key, a] of openByKey) if (!keys.has(key)) await clear(key, a);
    }
    for (const c of conditions) {
      const key = keyOf(c.type, c.enterprise, c.meter);
      const open = openByKey.get(key);
      if (c.severity === null) {
        if (open) await clear(key, open);
        continue;
      }
      const alarmInput = { ...c, severity: c.severity };
      if (!open) {
        const raised = await alarms.raise(alarmInput, at);
        openByKey.set(key, raised); // a second condition of the same key in this cycle updates it
        transitions.push({ kind: 'raised', alarm: raised, at });
        continue;
      }
      const rises = SEVERITY_RANK[c.severity] > SEVERITY_RANK[open.severity];
      if (rises || this.changed(open, c)) {
        const updated = await alarms.update(open.id, alarmInput, at, rises);
        openByKey.set(key, updated);
        if (rises) transitions.push({ kind: 'escalated', alarm: updated, previousSeverity: open.severity, at });
      }
    }
    return transitions;
  }

  private notify(transitions: readonly AlarmTransition[]): void {
    this.deps.logger.info(
      {
        transitions: transitions.map((t) => ({
          kind: t.kind,
          id: t.alarm.id,
          type: t.alarm.type,
          enterprise: t.alarm.enterprise,
          meter: t.alarm.meter,
          severity: t.alarm.severity,
        })),
      },
      'alarm transitions',
    );
    for (const sink of this.deps.sinks) {
      try {
        sink.notify(transitions);
      } catch (err) {
        // A notifier must never stop the evaluation; the failure is logged and recorded by the sink.
        this.deps.logger.error({ err }, 'alarm sink failed');
      }
    }
  }

  private changed(open: Alarm, c: Condition): boolean {
    return open.severity !== c.severity || open.value !== c.value || open.threshold !== c.threshold || open.message !== c.message;
  }
}
