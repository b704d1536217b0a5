/**
 * What the embedded broker keeps of publishes it refuses (`not-authorized`, contract 2). Such a
 * record can never be replayed (it would store one enterprise's data under another), so it keeps a
 * sample of the payload as evidence, not the payload: a gateway flooding another enterprise's topic
 * with 10 MiB publishes must not grow the state store or the quarantine answers. Per MQTT account,
 * the first `perWindow` refusals of a window are recorded one by one and the rest as one summary
 * row when the window ends, so a flood costs a bounded number of rows a minute.
 */
import type { QuarantineInput } from '../services/store/state/stateStore';

export interface RefusalRecorderOptions {
  /** Refusals recorded one by one per account and window (default 20). */
  readonly perWindow?: number;
  /** Window length, ms (default 60 s). */
  readonly windowMs?: number;
}

interface Window {
  readonly start: number;
  recorded: number;
  suppressed: number;
  last?: QuarantineInput;
}

export class RefusalRecorder {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;
  private readonly perWindow: number;
  private readonly windowMs: number;

  constructor(
    options: RefusalRecorderOptions,
    private readonly deps: { record: (item: QuarantineInput) => void; now: () => number },
  ) {
    this.perWindow = options.perWindow ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
  }

  /** One refused publish by `account` (its user name, or `(anonymous)`). */
  refuse(account: string, item: QuarantineInput): void {
    const now = this.deps.now();
    let window = this.windows.get(account);
    if (window && now - window.start >= this.windowMs) {
      this.close(account, window);
      window = undefined;
    }
    if (!window) {
      window = { start: now, recorded: 0, suppressed: 0 };
      this.windows.set(account, window);
      this.arm();
    }
    if (window.recorded < this.perWindow) {
      window.recorded++;
      this.deps.record(item);
      return;
    }
    window.suppressed++;
    window.last = item;
  }

  /** Writes the summaries of every open window (at stop). */
  flush(): void {
    for (const [account, window] of this.windows) this.close(account, window);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private close(account: string, window: Window): void {
    this.windows.delete(account);
    if (window.suppressed === 0 || !window.last) return;
    const last = window.last;
    this.deps.record({
      ...last,
      payload: '',
      detail: `${window.suppressed} further publishes by MQTT user "${account}" refused since ${new Date(window.start).toISOString()} (after ${window.recorded} recorded one by one); payloads not kept. Last: ${last.detail}`,
    });
  }

  /** One timer for all windows, so summaries are written even when the flood stops. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = this.deps.now();
      for (const [account, window] of this.windows) if (now - window.start >= this.windowMs) this.close(account, window);
      if (this.windows.size > 0) this.arm();
    }, this.windowMs);
    this.timer.unref();
  }
}
