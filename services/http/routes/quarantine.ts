/** GET /api/quarantine and POST /api/quarantine/replay (contract 2 and 5). */
import { Router } from 'express';
import { z } from 'zod';
import { QUARANTINE_REASONS, type QuarantineRecord, type StateStore } from '../../store/stateStore';
import type { ReplayOutcome } from '../../../ingest/ingestPipeline';
import { isoInZone } from '../../energy/time';
import { BadRequestError } from '../../errors';
import { principalOf, requireRole } from '../auth';
import { parseInput } from '../validate';

const listQuery = z.object({
  status: z.enum(['open', 'replayed', 'all']).default('open'),
  reason: z.enum(QUARANTINE_REASONS).optional(),
  enterprise: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

const replayBody = z.object({
  ids: z.array(z.number().int().positive()).max(10_000).optional(),
  reason: z.enum(QUARANTINE_REASONS).optional(),
  enterprise: z.string().max(64).optional(),
  all: z.boolean().optional(),
}).strict();

/** Times in the site zone, with its offset (e.g. 2026-03-01T08:00:00.000+08:00). */
export function quarantineView(r: QuarantineRecord, zone: string) {
  return { ...r, receivedAt: isoInZone(r.receivedAt, zone), ...(r.replayedAt !== undefined && { replayedAt: isoInZone(r.replayedAt, zone) }) };
}

export function quarantineRouter(deps: { state: StateStore; replay: (records: readonly QuarantineRecord[]) => Promise<ReplayOutcome>; zone: string }): Router {
  const router = Router();

  router.get('/', (req, res) => {
    const p = principalOf(res);
    const q = parseInput(listQuery, req.query, 'query');
    // An enterprise manager sees only what its own gateways sent.
    const enterprise = p.role === 'enterprise' ? p.enterprise : q.enterprise;
    const items = deps.state.listQuarantine({ status: q.status, limit: q.limit, offset: q.offset, ...(q.reason && { reason: q.reason }), ...(enterprise !== undefined && { enterprise }) });
    res.json({ items: items.map((r) => quarantineView(r, deps.zone)), openByReason: p.role === 'enterprise' ? undefined : deps.state.countQuarantine() });
  });

  router.post('/replay', requireRole('admin'), async (req, res) => {
    const body = parseInput(replayBody, req.body ?? {}, 'body');
    if (!body.ids && !body.reason && !body.enterprise && body.all !== true) {
      throw new BadRequestError('say what to replay: ids, reason, enterprise, or all: true');
    }
    const records = deps.state.listQuarantine({
      status: 'open', limit: 10_000,
      ...(body.ids && { ids: body.ids }), ...(body.reason && { reason: body.reason }), ...(body.enterprise && { enterprise: body.enterprise }),
    });
    const outcome = await deps.replay(records);
    res.json({ requested: records.length, replayed: outcome.replayed, stillRejected: outcome.stillRejected });
  });

  return router;
}
