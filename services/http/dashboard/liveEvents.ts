/**
 * GET /api/events: server-sent events for the dashboard. `alarm` carries each raise, escalation,
 * clear and acknowledgement; `readings` carries, at most every `readingsEveryMs`, the newest
 * reading per meter stored since the last one. An enterprise manager receives only their own
 * enterprise's events (contract 5). A comment line every 25 s keeps proxies from closing the stream.
 */
import { Router, type Response } from 'express';
import type { EventBus } from '../../events/eventBus';
import type { Reading } from '../../energy/reading';
import { isoInZone } from '../../energy/time';
import { TooManyError } from '../../core/errors';
import { principalOf, type Principal } from '../auth';
import { alarmView } from '../routes/alarms';

export interface LiveOptions {
  readonly readingsEveryMs?: number;
  readonly heartbeatMs?: number;
  /** Most open streams per principal (tabs of one person), default 20. */
  readonly maxPerPrincipal?: number;
}

interface Client {
  readonly res: Response;
  readonly principal: Principal;
}

export function liveEventsRouter(deps: { events: EventBus; zone: string }, options: LiveOptions = {}): Router & { close(): void } {
  const router = Router();
  const clients = new Set<Client>();
  const maxPer = options.maxPerPrincipal ?? 20;
  let pending = new Map<string, Reading>();
  let flushTimer: NodeJS.Timeout | undefined;

  const sees = (c: Client, enterprise: string) => c.principal.role !== 'enterprise' || c.principal.enterprise === enterprise;
  const send = (c: Client, event: string, data: unknown) => c.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const flushReadings = () => {
    flushTimer = undefined;
    const batch = [...pending.values()];
    pending = new Map();
    for (const c of clients) {
      const mine = batch
        .filter((r) => sees(c, r.enterprise))
        .map((r) => ({
          enterprise: r.enterprise,
          meter: r.meter,
          ts: isoInZone(r.ts, deps.zone),
          value: r.value,
          quality: r.quality,
        }));
      if (mine.length > 0) send(c, 'readings', mine);
    }
  };

  const unsubscribe = [
    deps.events.on('readingsStored', ({ readings }) => {
      if (clients.size === 0) return;
      for (const r of readings) {
        const key = `${r.enterprise}/${r.meter}`;
        const seen = pending.get(key);
        if (!seen || r.ts >= seen.ts) pending.set(key, r);
      }
      flushTimer ??= setTimeout(flushReadings, options.readingsEveryMs ?? 1000);
    }),
    deps.events.on('alarmChanged', ({ transitions }) => {
      for (const c of clients) {
        for (const t of transitions)
          if (sees(c, t.alarm.enterprise)) send(c, 'alarm', { kind: t.kind, at: isoInZone(t.at, deps.zone), alarm: alarmView(t.alarm, deps.zone) });
      }
    }),
    deps.events.on('alarmAcknowledged', ({ alarm }) => {
      const at = alarm.acknowledgedAt ?? alarm.updatedAt;
      for (const c of clients)
        if (sees(c, alarm.enterprise)) send(c, 'alarm', { kind: 'acknowledged', at: isoInZone(at, deps.zone), alarm: alarmView(alarm, deps.zone) });
    }),
  ];

  router.get('/', (req, res) => {
    const principal = principalOf(res);
    const mine = [...clients].filter((c) => c.principal.name === principal.name).length;
    if (mine >= maxPer) throw new TooManyError(`at most ${maxPer} live streams per sign-in`);
    res.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const client: Client = { res, principal };
    clients.add(client);
    res.write('retry: 3000\n\n');
    send(client, 'hello', { name: principal.name, role: principal.role });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 25_000);
    req.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(client);
    });
  });

  /** Ends every stream, so that the HTTP server can close. */
  const close = () => {
    unsubscribe.forEach((u) => u());
    if (flushTimer) clearTimeout(flushTimer);
    for (const c of clients) c.res.end();
    clients.clear();
  };
  return Object.assign(router, { close });
}
