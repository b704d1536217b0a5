/** GET /api/alarms and POST /api/alarms/{id}/ack (contract 5). */
import { Router } from 'express';
import { z } from 'zod';
import { ALARM_TYPES, type Alarm } from '../../energy/alarm';
import { AppError, BadRequestError, NotFoundError } from '../../core/errors';
import type { AlarmStore } from '../../store/state/alarmStore';
import { isoInZone } from '../../energy/time';
import { principalOf, requireRole, visibleEnterprise } from '../auth';
import { parseInput } from '../validate';
import type { EventBus } from '../../events/eventBus';

const listQuery = z
  .object({
    state: z.enum(['active', 'acknowledged', 'cleared', 'all']).default('active'),
    enterprise: z.string().max(64).optional(),
    type: z.enum(ALARM_TYPES).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .strict();

export function alarmView(a: Alarm, zone: string) {
  const iso = (ms: number | null) => (ms === null ? null : isoInZone(ms, zone));
  return {
    id: a.id,
    type: a.type,
    enterprise: a.enterprise,
    meter: a.meter,
    severity: a.severity,
    state: a.state,
    value: a.value,
    threshold: a.threshold,
    unit: a.unit,
    periodFrom: a.periodFrom ?? null,
    periodTo: a.periodTo ?? null,
    basis: a.basis ?? null,
    raisedAt: iso(a.raisedAt),
    updatedAt: iso(a.updatedAt),
    clearedAt: iso(a.clearedAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy,
    message: a.message,
  };
}

/**
 * An alarm id is a decimal integer as the API writes it, nothing else: Number() would also take
 * `0x11`, `1e1`, ` 17 ` or `017` as some alarm (issue 14), so one alarm had many names.
 */
export function alarmId(text: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new BadRequestError('the alarm id must be a positive decimal integer such as 17', { id: text.slice(0, 40) });
  return id;
}

export function alarmsRouter(deps: { alarms: AlarmStore; zone: string; now: () => number; events?: EventBus }): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const enterprise = visibleEnterprise(principalOf(res), q.enterprise);
    const list = deps.alarms.list({
      state: q.state,
      limit: q.limit,
      ...(enterprise !== undefined && { enterprise }),
      ...(q.type && { type: q.type }),
    });
    res.json(list.map((a) => alarmView(a, deps.zone)));
  });

  router.post('/:id/ack', requireRole('admin', 'officer'), (req, res) => {
    const id = alarmId(String(req.params.id));
    const alarm = deps.alarms.get(id);
    if (!alarm) throw new NotFoundError(`alarm ${id}`);
    if (alarm.state !== 'active') throw new AppError('conflict', `alarm ${id} is ${alarm.state}, only an active alarm can be acknowledged`);
    const acked = deps.alarms.acknowledge(id, principalOf(res).name, deps.now());
    if (!acked) throw new AppError('conflict', `alarm ${id} changed meanwhile`);
    deps.events?.emit('alarmAcknowledged', { alarm: acked });
    res.json(alarmView(acked, deps.zone));
  });

  return router;
}
