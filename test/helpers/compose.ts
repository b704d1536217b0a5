/**
 * Reads docker-compose.yml as compose would, for tests that start its programs without a
 * container engine: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `$$`
 * are interpolated from a .env; a missing required variable throws with compose's message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../config/paths';

export const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');

export interface ComposeService {
  image?: string;
  build?: unknown;
  init?: boolean;
  stop_grace_period?: string;
  environment?: Record<string, string | number | boolean | null>;
  command?: string[] | string;
  entrypoint?: string[] | string;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export class ComposeInterpolationError extends Error {}

/** Interpolates one string the way compose does. */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (bare !== undefined) return vars[bare] ?? '';
      const value = vars[name!];
      const unset = value === undefined || (colon === ':' && value === '');
      if (op === '?' && unset) throw new ComposeInterpolationError(`${name!}: ${arg ?? ''}`);
      if (op === '-' && unset) return arg ?? '';
      return value ?? '';
    },
  );
}

function interpolateDeep(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars)]));
  }
  return value;
}

export function rawCompose(file = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}

/** The compose file with every variable interpolated from `vars` (throws on a missing `${VAR:?}`). */
export function loadCompose(vars: Readonly<Record<string, string>>, file = COMPOSE_FILE): ComposeFile {
  return interpolateDeep(rawCompose(file), vars) as ComposeFile;
}

/** A service's environment as strings. */
export function serviceEnv(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** `host:container[:ro]` volume entries as a container path -> host path (or volume name) map. */
export function serviceMounts(service: ComposeService): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of service.volumes ?? []) {
    const [source, target] = entry.split(':');
    if (source !== undefined && target !== undefined) out.set(target, source);
  }
  return out;
}
