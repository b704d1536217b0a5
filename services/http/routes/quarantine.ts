/**
 * GET /api/quarantine, GET /api/quarantine/{id} and POST /api/quarantine/replay (contract 2 and 5).
 * A list answer is a page: at most 500 records, newest first by default, with `total`, and each
 * payload cut to a preview (the whole record is at /api/quarantine/{id}), so that no caller can make
 * the service read or send the whole quarantine at once.
 */
import { Router } from 'express';
import { z } from 'zod';
import { QUARANTINE_REASONS, type QuarantineFilter, type QuarantineRecord, type StateStore } from '../../store/state/stateStore';
import type { ReplayOutcome } from '../../../ingest/ingestPipeline';
import { isoInZone } from '../../energy/time';
import { BadRequestError, NotFoundError } from '../../core/errors';
import { principalOf, requireRole, visibleEnterprise } from '../auth';
import { parseInput } from '../validate';

export const MAX_PAGE = 500;
/** Characters of each payload in a list answer. */
export const PAYLOAD_PREVIEW_CHARS = 2048;
/** Records replayed per round: a replay of everything reads the quarantine page by page. */
const REPLAY_CHUNK = 500;

const listQuery = z
  .object({
    status: z.enum(['open', 'replayed', 'all']).default('open'),
    reason: z.enum(QUARANTINE_REASONS).optional(),
    enterprise: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
    offset: z.coerce.number().int().min(0).default(0),
    order: z.enum(['newest', 'oldest']).default('newest'),
  })
  .strict();

const idParam = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'expected a quarantine record id')
    .transform(Number),
});

const replayBody = z
  .object({
    ids: z.array(z.number().int().positive()).max(10_000).optional(),
    reason: z.enum(QUARANTINE_REASONS).optional(),
    enterprise: z.string().max(64).optional(),
    all: z.boolean().optional(),
  })
  .strict();

/** Times in the site zone, with its offset (e.g. 2026-03-01T08:00:00.000+08:00). */
export function quarantineView(r: QuarantineRecord, zone: string) {
  return { ...r, receivedAt: isoInZone(r.receivedAt, zone), ...(r.replayedAt !== undefined && { replayedAt: isoInZone(r.replayedAt, zone) }) };
}

/** A list entry: the record with its payload cut to a preview, and the payload's full size. */
export function quarantinePreview(r: QuarantineRecord, zone: string) {
  const view = quarantineView(r, zone);
  if (r.payload.length <= PAYLOAD_PREVIEW_CHARS) return view;
  return { ...view, payload: r.payload.slice(0, PAYLOAD_PREVIEW_CHARS), payloadTruncated: true, payloadBytes: Buffer.byteLength(r.payload) };
}

export function quarantineRouter(deps: {
  state: StateStore;
  replay: (records: readonly QuarantineRecord[]) => Promise<ReplayOutcome>;
  zone: string;
}): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const p = principalOf(res);
    const q = parseInput(listQuery, req.query, 'query');
    // An enterprise manager sees only what its own gateways sent.
    const enterprise = visibleEnterprise(p, q.enterprise);
    const filter: QuarantineFilter = { status: q.status, ...(q.reason && { reason: q.reason }), ...(enterprise !== undefined && { enterprise }) };
    const items = await deps.state.listQuarantine({ ...filter, limit: q.limit, offset: q.offset, order: q.order });
    res.json({
      items: items.map((r) => quarantinePreview(r, deps.zone)),
      total: await deps.state.countQuarantineMatching(filter),
      limit: q.limit,
      offset: q.offset,
      order: q.order,
      openByReason: p.role === 'enterprise' ? undefined : await deps.state.countQuarantine(),
    });
  });

  router.get('/:id', async (req, res) => {
    const p = principalOf(res);
    const { id } = parseInput(idParam, req.params, 'path');
    const record = await deps.state.quarantineRecord(id);
    if (!record || (p.role === 'enterprise' && record.enterprise !== p.enterprise)) throw new NotFoundError(`quarantine record ${id}`);
    res.json(quarantineView(record, deps.zone));
  });

  router.post('/replay', requireRole('admin'), async (req, res) => {
    const body = parseInput(replayBody, req.body ?? {}, 'body');
    if (!body.ids && !body.reason && !body.enterprise && body.all !== true) {
      throw new BadRequestError('say what to replay: ids, reason, enterprise, or all: true');
    }
    const filter: QuarantineFilter = {
      status: 'open',
      ...(body.ids && { ids: body.ids }),
      ...(body.reason && { reason: body.reason }),
      ...(body.enterprise && { enterprise: body.enterprise }),
    };
    // Page by page in id order, so a replay of 10,000 payloads never holds them all at once.
    let requested = 0;
    const replayed: number[] = [];
    const stillRejected: ReplayOutcome['stillRejected'] = [];
    for (let afterId = 0; requested < 10_000;) {
      const records = await deps.state.listQuarantine({ ...filter, afterId, limit: Math.min(REPLAY_CHUNK, 10_000 - requested), order: 'oldest' });
      if (records.length === 0) break;
      requested += records.length;
      afterId = records[records.length - 1]!.id;
      const outcome = await deps.replay(records);
      replayed.push(...outcome.replayed);
      stillRejected.push(...outcome.stillRejected);
    }
    res.json({ requested, replayed, stillRejected });
  });

  return router;
}
