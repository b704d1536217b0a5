/** Cross-field checks the schema cannot express: ids that must exist, be unique, or fit together. */
import type { Config } from './schema';
import { unitDef } from './units';
import { coefficientFor, overrideKeyProblem } from './coefficients';
import { checkCarbonReferences } from './carbonReferences';

export interface ReferenceProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The dimension a meter's unit must have for its carrier and kind. */
function unitProblem(carrier: string, kind: string, unit: string): string | undefined {
  const def = unitDef(unit);
  if (carrier === 'product') return undefined;
  if (kind === 'power') {
    if (def?.dimension !== 'power') return `a power meter's unit must be a power unit (W, kW, MW), got "${unit}"`;
    if (carrier !== 'electricity' && carrier !== 'renewable_electricity') return `power meters are for electricity, not ${carrier}`;
    return undefined;
  }
  const base = carrier.startsWith('feedstock_') ? carrier.slice('feedstock_'.length) : carrier;
  if (!coefficientFor(base, unit)) return `unit "${unit}" does not convert to a unit with a known coefficient for carrier ${carrier}`;
  return undefined;
}

/** Room in an MQTT packet for what is not payload: fixed header, topic, packet id, MQTT 5 properties. */
export const PACKET_OVERHEAD_BYTES = 1024;

export function checkReferences(config: Config): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const enterpriseIds = new Map<string, number>();
  const tariffIds = new Set(config.tariffs.map((t) => t.id));
  config.tariffs.forEach((t, i) => {
    if (config.tariffs.findIndex((o) => o.id === t.id) !== i) problems.push({ path: ['tariffs', i, 'id'], message: `duplicate tariff id "${t.id}"` });
  });
  config.enterprises.forEach((e, i) => {
    if (enterpriseIds.has(e.id)) problems.push({ path: ['enterprises', i, 'id'], message: `duplicate enterprise id "${e.id}"` });
    enterpriseIds.set(e.id, i);
    if (e.tariff !== undefined && !tariffIds.has(e.tariff))
      problems.push({ path: ['enterprises', i, 'tariff'], message: `unknown tariff "${e.tariff}"` });
    const years = new Set<number>();
    e.quotas.forEach((q, j) => {
      if (years.has(q.year)) problems.push({ path: ['enterprises', i, 'quotas', j, 'year'], message: `two quotas for ${q.year}` });
      years.add(q.year);
    });
    const meterIds = new Set<string>();
    e.meters.forEach((m, j) => {
      if (meterIds.has(m.id)) problems.push({ path: ['enterprises', i, 'meters', j, 'id'], message: `duplicate meter id "${m.id}" in ${e.id}` });
      meterIds.add(m.id);
      const up = unitProblem(m.carrier, m.kind, m.unit);
      if (up) problems.push({ path: ['enterprises', i, 'meters', j, 'unit'], message: up });
      if (m.rollover !== undefined && m.kind !== 'counter')
        problems.push({ path: ['enterprises', i, 'meters', j, 'rollover'], message: 'rollover applies to counter meters only' });
      if (m.carrier === 'product' && m.kind === 'power')
        problems.push({ path: ['enterprises', i, 'meters', j, 'kind'], message: 'a product meter cannot be a power meter' });
      // A tariff prices energy per tonne of output: its product meters must count mass.
      if (e.tariff !== undefined && m.carrier === 'product' && unitDef(m.unit)?.dimension !== 'mass') {
        problems.push({
          path: ['enterprises', i, 'meters', j, 'unit'],
          message: `enterprise ${e.id} has tariff "${e.tariff}": its product meters must count mass (t or kg), got "${m.unit}"`,
        });
      }
    });
    if (e.tariff !== undefined && !e.meters.some((m) => m.carrier === 'product')) {
      problems.push({
        path: ['enterprises', i, 'meters'],
        message: `enterprise ${e.id} has tariff "${e.tariff}" but no product meter: the tariff needs the output (in t or kg)`,
      });
    }
  });
  const meterExists = (enterprise: string, meter: string): boolean =>
    config.enterprises.some((e) => e.id === enterprise && e.meters.some((m) => m.id === meter));
  config.rules.thresholds.forEach((t, i) => {
    if (!enterpriseIds.has(t.enterprise))
      problems.push({ path: ['rules', 'thresholds', i, 'enterprise'], message: `unknown enterprise "${t.enterprise}"` });
    else if (!meterExists(t.enterprise, t.meter))
      problems.push({ path: ['rules', 'thresholds', i, 'meter'], message: `unknown meter "${t.meter}" of ${t.enterprise}` });
  });
  config.notify.recipients.forEach((r, i) => {
    if (r.enterprise !== undefined && !enterpriseIds.has(r.enterprise))
      problems.push({ path: ['notify', 'recipients', i, 'enterprise'], message: `unknown enterprise "${r.enterprise}"` });
  });
  config.auth.tokens.forEach((t, i) => {
    if (t.role === 'enterprise' && t.enterprise === undefined)
      problems.push({ path: ['auth', 'tokens', i, 'enterprise'], message: 'an enterprise token must name its enterprise' });
    if (t.enterprise !== undefined && !enterpriseIds.has(t.enterprise))
      problems.push({ path: ['auth', 'tokens', i, 'enterprise'], message: `unknown enterprise "${t.enterprise}"` });
    if (config.auth.tokens.findIndex((o) => o.sha256.toLowerCase() === t.sha256.toLowerCase()) !== i)
      problems.push({ path: ['auth', 'tokens', i, 'sha256'], message: 'the same token hash is listed twice' });
  });
  config.auth.mqtt.forEach((u, i) => {
    if (u.role === 'gateway' && u.enterprise === undefined)
      problems.push({ path: ['auth', 'mqtt', i, 'enterprise'], message: 'a gateway account must name its enterprise' });
    if (u.enterprise !== undefined && !enterpriseIds.has(u.enterprise))
      problems.push({ path: ['auth', 'mqtt', i, 'enterprise'], message: `unknown enterprise "${u.enterprise}"` });
    if (config.auth.mqtt.findIndex((o) => o.username === u.username) !== i)
      problems.push({ path: ['auth', 'mqtt', i, 'username'], message: `duplicate MQTT username "${u.username}"` });
    // With Mosquitto's use_username_as_clientid a gateway's client id is its user name: it may not be one of the service's.
    if (u.role === 'gateway' && u.username.startsWith('energy-monitor-'))
      problems.push({
        path: ['auth', 'mqtt', i, 'username'],
        message: `a gateway user name may not start with "energy-monitor-" (reserved to the service's client ids)`,
      });
  });
  // A packet carries its fixed header, the topic (energy/{64}/{64}) and a packet id besides the payload.
  if (config.ingest.maxPacketBytes < config.ingest.maxPayloadBytes + PACKET_OVERHEAD_BYTES) {
    problems.push({
      path: ['ingest', 'maxPacketBytes'],
      message: `must be at least ingest.maxPayloadBytes + ${PACKET_OVERHEAD_BYTES} (${config.ingest.maxPayloadBytes + PACKET_OVERHEAD_BYTES}): a payload the service would take must fit in a packet with its topic and headers`,
    });
  }
  // Keys are carrier or carrier/unit (contract 8.2); a carrier alone is refused where it has two table units.
  for (const section of ['coefficients', 'emissionFactors'] as const) {
    for (const key of Object.keys(config[section])) {
      const problem = overrideKeyProblem(key);
      if (problem) problems.push({ path: [section, key], message: problem });
    }
  }
  problems.push(...checkCarbonReferences(config));
  return problems;
}
