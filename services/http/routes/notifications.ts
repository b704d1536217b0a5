/** GET /api/notifications: every mail and webhook attempt, so failed sends are visible (contract 7). */
import { Router } from 'express';
import { z } from 'zod';
import type { DeliveryLog } from '../../store/state/deliveryLog';
import { isoInZone } from '../../energy/time';
import { requireRole } from '../auth';
import { parseInput } from '../validate';

const query = z
  .object({
    status: z.enum(['sent', 'failed', 'retrying']).optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(200),
  })
  .strict();

export function notificationsRouter(deliveries: DeliveryLog, zone: string): Router {
  const router = Router();
  // Recipients' addresses are personal data: officers and admins only.
  router.get('/', requireRole('admin', 'officer'), async (req, res) => {
    const q = parseInput(query, req.query, 'query');
    const list = await deliveries.list({ limit: q.limit, ...(q.status && { status: q.status }) });
    res.json(list.map((d) => ({ ...d, at: isoInZone(d.at, zone) })));
  });
  return router;
}
