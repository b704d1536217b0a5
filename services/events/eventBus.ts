/**
 * The typed event bus components talk through. A listener that throws is logged and does not stop
 * the other listeners or the emitter.
 */
import type { DataQualityEvent } from '../energy/dataQuality';
import type { Reading } from '../energy/reading';
import type { Logger } from '../core/log';
import type { QuarantineInput } from '../store/state/stateStore';
import type { Alarm, AlarmTransition } from '../energy/alarm';

export interface EventMap {
  readingsStored: { readonly readings: readonly Reading[] };
  quarantined: { readonly items: readonly QuarantineInput[] };
  dataQuality: { readonly events: readonly DataQualityEvent[] };
  storeFailed: { readonly error: Error; readonly pending: number };
  /** Alarm raised, escalated or cleared by the rules. */
  alarmChanged: { readonly transitions: readonly AlarmTransition[] };
  alarmAcknowledged: { readonly alarm: Alarm };
  /**
   * A ledger fact was recorded or retracted (contract 8): figures from `from` (data time, epoch ms)
   * on may have changed. Rules run a cycle; finalised months it reaches are rechecked.
   */
  ledgerChanged: { readonly kind: LedgerChangeKind; readonly enterprise: string; readonly from: number };
}

export type LedgerChangeKind = 'meter-event' | 'monthly-statistics' | 'parameters';

type Listener<K extends keyof EventMap> = (payload: EventMap[K]) => void;

export class EventBus {
  private readonly listeners: { [K in keyof EventMap]?: Listener<K>[] } = {};

  constructor(private readonly logger: Logger) {}

  on<K extends keyof EventMap>(event: K, listener: Listener<K>): () => void {
    const list = (this.listeners[event] ??= []) as Listener<K>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit<K extends keyof EventMap>(event: K, payload: EventMap[K]): void {
    for (const listener of (this.listeners[event] ?? []) as Listener<K>[]) {
      try {
        listener(payload);
      } catch (err) {
        this.logger.error({ err, event }, 'event listener failed');
      }
    }
  }
}
