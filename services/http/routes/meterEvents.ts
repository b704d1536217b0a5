/**
 * Meter events (contract 8.1): `POST`, `GET /api/enterprises/{id}/meters/{meterId}/events` and
 * `DELETE .../events/{eventId}`. Recording and retracting (with the recomputation that follows) is
 * the ledger service's job; this edge parses the body, names every problem in one 422, and prints
 * instants as ISO-8601 in the site zone. Decisions: docs/ledger/meter-events.md, section API.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config, EnterpriseConfig, MeterConfig } from '../../../config/schema';
import { NotFoundError } from '../../core/errors';
import type { MeterEvent } from '../../energy/meterEvents';
import { validateMeterEvent } from '../../energy/meterTimeline';
import { isoInZone } from '../../energy/time';
import { MeterEventRejected, UnknownMeter, type MeterEventService } from '../../ledger/meterEventService';
import { assertCanSee, principalOf, requireRole } from '../auth';
import { parseMeterEventBody, salvageMeterEventBody } from './meterEventBody';
import { findEnterprise } from './meters';

export type MeterEventPort = Pick<MeterEventService, 'record' | 'retract' | 'list'>;

const PATH = '/:id/meters/:meterId/events';

/** A meter event as answered: instants in the site zone, the retraction spelled out. */
export function meterEventView(e: MeterEvent, zone: string): Record<string, unknown> {
  const { id, enterprise, meter, at, recordedBy, recordedAt, retractedBy, retractedAt, ...fields } = e;
  return {
    id,
    enterprise,
    meter,
    ...fields,
    at: isoInZone(at, zone),
    recordedBy,
    recordedAt: isoInZone(recordedAt, zone),
    retracted: retractedAt !== undefined,
    retractedBy: retractedBy ?? null,
    retractedAt: retractedAt === undefined ? null : isoInZone(retractedAt, zone),
  };
}

/** 422 with every problem (contract 8.1), in the contract's error shape plus `problems`. */
function unprocessable(res: Response, problems: readonly string[]): void {
  res.status(422).json({ error: { code: 'unprocessable', message: `meter event refused: ${problems.join('; ')}`, problems } });
}

/** The first word of a problem, when it names a field ("oldFinalRegister must be ...", "register: ..."). */
const fieldOf = (problem: string): string => /^[A-Za-z]+/.exec(problem)?.[0] ?? '';

export function meterEventsRouter(deps: { config: Config; meterEvents: MeterEventPort; now: () => number }): Router {
  const router = Router();
  const zone = deps.config.timezone;
  // An enterprise token asking about another enterprise gets 404 before any role check, as elsewhere.
  const canSee = (req: Request, res: Response, next: NextFunction): void => {
    assertCanSee(principalOf(res), String(req.params.id));
    next();
  };
  const enterprise = (id: string): EnterpriseConfig => findEnterprise(deps.config, id);
  const meter = (e: EnterpriseConfig, id: string): MeterConfig => {
    const m = e.meters.find((x) => x.id === id);
    if (!m) throw new NotFoundError(`meter ${e.id}/${id}`);
    return m;
  };

  router.get(PATH, canSee, async (req, res) => {
    const e = enterprise(String(req.params.id));
    const m = meter(e, String(req.params.meterId));
    res.json((await deps.meterEvents.list(e.id, m.id)).map((ev) => meterEventView(ev, zone)));
  });

  router.post(PATH, canSee, requireRole('admin', 'officer'), async (req, res) => {
    const e = enterprise(String(req.params.id));
    const meterId = String(req.params.meterId);
    const m = e.meters.find((x) => x.id === meterId);
    const parsed = parseMeterEventBody(req.body);
    if (m && parsed.input) {
      try {
        const stored = await deps.meterEvents.record(e.id, m.id, parsed.input, principalOf(res).name);
        res.status(201).json(meterEventView(stored, zone));
      } catch (err) {
        if (err instanceof MeterEventRejected) unprocessable(res, err.problems);
        else if (err instanceof UnknownMeter) unprocessable(res, [`meter: no meter "${meterId}" in enterprise ${e.id}`]);
        else throw err;
      }
      return;
    }
    const problems = [...parsed.problems];
    if (!m) problems.unshift(`meter: no meter "${meterId}" in enterprise ${e.id}`);
    else problems.push(...(await salvagedProblems(m, e.id, req.body)));
    unprocessable(res, problems);
  });

  router.delete(`${PATH}/:eventId`, canSee, requireRole('admin'), async (req, res) => {
    const e = enterprise(String(req.params.id));
    const m = meter(e, String(req.params.meterId));
    const raw = String(req.params.eventId);
    if (!/^[1-9]\d{0,15}$/.test(raw)) throw new NotFoundError(`meter event ${raw}`);
    const retracted = await deps.meterEvents.retract(e.id, m.id, Number(raw), principalOf(res).name);
    res.json(meterEventView(retracted, zone));
  });

  /** The ledger's problems with the fields of a malformed body that do parse, beside the parse's own. */
  async function salvagedProblems(m: MeterConfig, enterpriseId: string, body: unknown): Promise<string[]> {
    const salvaged = salvageMeterEventBody(body);
    if (!salvaged) return [];
    const active = (await deps.meterEvents.list(enterpriseId, m.id)).filter((ev) => ev.retractedAt === undefined);
    return validateMeterEvent(m, active, salvaged.input, deps.now()).filter((p) => !salvaged.broken.has(fieldOf(p)));
  }

  return router;
}
