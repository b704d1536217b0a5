/** The server's live stream (GET /api/events, server-sent events); the browser reconnects by itself. */
import type { AlarmEvent, LiveReading } from './types';

interface LiveEvents {
  alarm: AlarmEvent;
  readings: LiveReading[];
}
type Handler<K extends keyof LiveEvents> = (data: LiveEvents[K]) => void;

export class Live {
  private source: EventSource | undefined;
  private readonly handlers: { [K in keyof LiveEvents]: Set<Handler<K>> } = { alarm: new Set(), readings: new Set() };

  constructor(private readonly onState: (connected: boolean) => void) {}

  connect(): void {
    if (this.source) return;
    const source = new EventSource('/api/events');
    this.source = source;
    source.addEventListener('open', () => this.onState(true));
    source.addEventListener('error', () => this.onState(false));
    for (const name of ['alarm', 'readings'] as const) {
      source.addEventListener(name, (ev) => {
        const data: unknown = JSON.parse((ev as MessageEvent<string>).data);
        for (const h of this.handlers[name]) (h as (d: unknown) => void)(data);
      });
    }
  }

  on<K extends keyof LiveEvents>(name: K, handler: Handler<K>): () => void {
    const set = this.handlers[name] as Set<Handler<K>>;
    set.add(handler);
    return () => set.delete(handler);
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.onState(false);
  }
}
