/** GET /api/alarms and POST /api/alarms/{id}/ack (contract 5). */
import { Router, type Response } from 'express';
import type { Alarm } from '../../energy/alarm';
import { AppError, BadRequestError, NotFoundError } from '../../core/errors';
import type { AlarmNote, AlarmStore } from '../../store/state/alarmStore';
import { isoInZone } from '../../energy/time';
import { assertCanSee, principalOf, requireRole, visibleEnterprise } from '../auth';
import { parseInput } from '../validate';
import type { EventBus } from '../../events/eventBus';
import { ackBody, alarmListQuery, EXPORT_MAX_ROWS, noteBody } from './alarmQuery';
import { alarmsCsv, alarmsXlsx, truncationNote, type AlarmExportInput } from './alarmExport';
import { XLSX_MIME } from './monthly';

export function noteView(n: AlarmNote, zone: string) {
  return { kind: n.kind, by: n.by, at: isoInZone(n.at, zone), text: n.text };
}

/** An alarm as the API answers it; `notes` (oldest first) where the caller read them. */
export function alarmView(a: Alarm, zone: string, notes?: readonly AlarmNote[]) {
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
    ...(notes && { notes: notes.map((n) => noteView(n, zone)) }),
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

export interface AlarmsRouteDeps {
  readonly alarms: AlarmStore;
  readonly zone: string;
  readonly now: () => number;
  readonly events?: EventBus;
  /** Enterprise names for exports; the id where none. */
  readonly enterpriseName?: (id: string) => string;
}

export function alarmsRouter(deps: AlarmsRouteDeps): Router {
  const router = Router();
  const listQuery = alarmListQuery(deps.zone);
  const withNotes = async (list: readonly Alarm[]) => {
    const notes = await deps.alarms.notesOf(list.map((a) => a.id));
    return list.map((a) => alarmView(a, deps.zone, notes.get(a.id) ?? []));
  };
  /** The alarm if the caller may see it; another enterprise's answers 404 like a missing one. */
  const visibleAlarm = async (res: Response, text: string): Promise<Alarm> => {
    const id = alarmId(text);
    const alarm = await deps.alarms.get(id);
    if (!alarm) throw new NotFoundError(`alarm ${id}`);
    assertCanSee(principalOf(res), alarm.enterprise);
    return alarm;
  };

  router.get('/', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const enterprise = visibleEnterprise(principalOf(res), q.enterprise);
    const query = { ...q.query, ...(enterprise !== undefined && { enterprise }) };
    if (q.format === 'json') {
      const page = await deps.alarms.query(query);
      // The body stays the contract's array; the paging figures travel in headers.
      res.set({ 'X-Total-Count': String(page.total), 'X-Offset': String(query.offset ?? 0), 'X-Limit': String(query.limit) });
      res.json(await withNotes(page.alarms));
      return;
    }
    // An export is the whole filtered history up to its cap, whatever page the list shows.
    const page = await deps.alarms.query({ ...query, limit: EXPORT_MAX_ROWS, offset: 0 });
    const input: AlarmExportInput = {
      alarms: page.alarms,
      notes: await deps.alarms.notesOf(page.alarms.map((a) => a.id)),
      total: page.total,
      lang: q.lang,
      zone: deps.zone,
      enterpriseName: deps.enterpriseName ?? ((id) => id),
    };
    const truncated = truncationNote(page.alarms.length, page.total, q.lang) !== undefined;
    const stamp = isoInZone(deps.now(), deps.zone).slice(0, 10);
    res.set({ 'X-Total-Count': String(page.total), 'X-Export-Truncated': String(truncated) });
    if (q.format === 'csv') {
      res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="alarms-${stamp}.csv"`).send(alarmsCsv(input));
    } else {
      res
        .type(XLSX_MIME)
        .set('Content-Disposition', `attachment; filename="alarms-${stamp}.xlsx"`)
        .send(await alarmsXlsx(input));
    }
  });

  router.get('/:id', async (req, res) => {
    const alarm = await visibleAlarm(res, String(req.params.id));
    res.json((await withNotes([alarm]))[0]);
  });

  router.post('/:id/ack', requireRole('admin', 'officer'), async (req, res) => {
    const { comment } = parseInput(ackBody, req.body ?? {}, 'body');
    const alarm = await visibleAlarm(res, String(req.params.id));
    const id = alarm.id;
    if (alarm.state !== 'active') throw new AppError('conflict', `alarm ${id} is ${alarm.state}, only an active alarm can be acknowledged`);
    const acked = await deps.alarms.acknowledge(id, principalOf(res).name, deps.now(), comment);
    if (!acked) throw new AppError('conflict', `alarm ${id} changed meanwhile`);
    deps.events?.emit('alarmAcknowledged', { alarm: acked });
    res.json((await withNotes([acked]))[0]);
  });

  // A later comment (处置意见) on an alarm in any state, cleared ones included: what was done is
  // often known only after the condition ended. Earlier comments are never changed.
  router.post('/:id/notes', requireRole('admin', 'officer'), async (req, res) => {
    const { comment } = parseInput(noteBody, req.body ?? {}, 'body');
    const alarm = await visibleAlarm(res, String(req.params.id));
    await deps.alarms.addNote(alarm.id, principalOf(res).name, deps.now(), comment);
    res.status(201).json((await withNotes([alarm]))[0]);
  });

  return router;
}
