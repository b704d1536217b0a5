/**
 * The routes an Express app actually serves, read from its router stack (Express 5, router 2):
 * each `METHOD /path/pattern` with the mount prefixes joined, and each static-file mount. The
 * role x route test (test/integration/roleRouteTable.test.ts) checks its table against this list,
 * so a route added without a row in that table fails the test.
 */
import type { Express } from 'express';

export interface RegisteredRoute {
  /** Upper case, e.g. GET; `STATIC` for an express.static mount (every GET below its path). */
  readonly method: string;
  /** The pattern as registered, prefixes joined: `/api/alarms/:id/ack`. */
  readonly path: string;
}

/** The parts of router 2's Layer and Route this walk reads (not exported by @types/express). */
interface LayerLike {
  readonly rawPath?: unknown;
  readonly slash?: boolean;
  readonly name?: string;
  readonly route?: { readonly path?: unknown; readonly methods?: Readonly<Record<string, boolean>> };
  readonly handle?: { readonly stack?: unknown };
}

function isLayerList(value: unknown): value is readonly LayerLike[] {
  return Array.isArray(value) && value.every((l) => l !== null && typeof l === 'object');
}

function join(prefix: string, part: string): string {
  const joined = `${prefix}/${part}`.replace(/\/{2,}/g, '/');
  return joined.length > 1 && joined.endsWith('/') ? joined.slice(0, -1) : joined;
}

/** Path patterns of a layer: strings as registered; a RegExp or array of them as their source. */
function pathsOf(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.flatMap(pathsOf);
  if (typeof raw === 'string') return [raw];
  if (raw instanceof RegExp) return [`regexp:${raw.source}`];
  return [''];
}

export function registeredRoutes(app: Express): RegisteredRoute[] {
  const root = (app as unknown as { router?: { stack?: unknown } }).router?.stack;
  if (!isLayerList(root)) throw new Error('this Express app exposes no router stack (expected Express 5 with router 2)');
  const found: RegisteredRoute[] = [];
  const walk = (stack: readonly LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.entries(layer.route.methods ?? {})
          .filter(([, on]) => on)
          .map(([m]) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const p of pathsOf(layer.route.path)) for (const method of methods) found.push({ method, path: join(prefix, p) });
        continue;
      }
      const mount = layer.slash ? [''] : pathsOf(layer.rawPath);
      const nested = layer.handle?.stack;
      if (isLayerList(nested)) {
        for (const p of mount) walk(nested, join(prefix, p));
      } else if (layer.name === 'serveStatic') {
        for (const p of mount) found.push({ method: 'STATIC', path: join(prefix, p) });
      }
    }
  };
  walk(root, '');
  // One entry per method and path (a router mounted twice, or a path in two routers, counts once).
  const unique = new Map(found.map((r) => [`${r.method} ${r.path}`, r]));
  return [...unique.values()];
}
