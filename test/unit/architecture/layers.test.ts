/**
 * The layers of the house (README "Layout"), checked over the import graph of the product code:
 * every import points down (to a lower rank) or stays inside its own layer. A new upward import,
 * or a product file in no layer, fails here with the file and the import named.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';

/** Bottom (0) to top. A file belongs to the layer of its longest matching path. */
export const LAYERS: readonly { readonly name: string; readonly rank: number; readonly paths: readonly string[] }[] = [
  { name: 'core', rank: 0, paths: ['services/core/'] },
  { name: 'config', rank: 1, paths: ['config/'] },
  { name: 'domain', rank: 2, paths: ['services/energy/'] },
  { name: 'store', rank: 3, paths: ['services/store/'] },
  { name: 'events', rank: 4, paths: ['services/events/'] },
  { name: 'delivery', rank: 5, paths: ['services/delivery/'] },
  { name: 'observability', rank: 5, paths: ['services/observability/'] },
  { name: 'ingest', rank: 5, paths: ['ingest/'] },
  { name: 'figures', rank: 5, paths: ['services/figures/'] },
  { name: 'alerts', rank: 6, paths: ['alerts/'] },
  { name: 'ledger', rank: 6, paths: ['services/ledger/'] },
  { name: 'reports', rank: 7, paths: ['services/reports/'] },
  { name: 'http', rank: 8, paths: ['services/http/'] },
  {
    name: 'composition',
    rank: 9,
    paths: [
      'services/app.ts',
      'services/main.ts',
      'services/scaleOut.ts',
      'services/instanceId.ts',
      'services/demoRun.ts',
      'services/reportsWiring.ts',
      'services/figuresWiring.ts',
      'services/notifyWiring.ts',
      'services/cli/',
      'ingest/mosquittoAuthCli.ts',
      'ingest/simulator/cli.ts',
    ],
  },
];

const PRODUCT = ['config', 'ingest', 'alerts', 'services'];
/** The dashboard's browser code is bundled apart (esbuild) and imports only itself. */
const APART = ['services/http/dashboard/client/'];

function productFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(PROJECT_ROOT, dir))) {
    const rel = `${dir}/${entry}`;
    if (APART.some((a) => `${rel}/`.startsWith(a))) continue;
    if (statSync(path.join(PROJECT_ROOT, rel)).isDirectory()) productFiles(rel, out);
    else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

export function layerOf(file: string): (typeof LAYERS)[number] | undefined {
  let best: { layer: (typeof LAYERS)[number]; length: number } | undefined;
  for (const layer of LAYERS) {
    for (const p of layer.paths) {
      if ((p.endsWith('/') ? file.startsWith(p) : file === p) && p.length > (best?.length ?? -1)) best = { layer, length: p.length };
    }
  }
  return best?.layer;
}

const SPECIFIER = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
    const candidates = [`${base}.ts`, `${base}/index.ts`, base];
    const found = candidates.find((c) => {
      try {
        return statSync(path.join(PROJECT_ROOT, c)).isFile();
      } catch {
        return false;
      }
    });
    if (found) out.push(found);
  }
  return out;
}

describe('layers', () => {
  const files = PRODUCT.flatMap((d) => productFiles(d));

  it('every product file is in a layer', () => {
    expect(files.filter((f) => !layerOf(f))).toEqual([]);
    expect(files.length).toBeGreaterThan(100);
  });

  it('imports point down or stay inside their layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file)!;
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (!to || to.name === from.name) continue;
        if (to.rank >= from.rank) upward.push(`${file} (${from.name} ${from.rank}) -> ${target} (${to.name} ${to.rank})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('catches an upward import (the check itself)', () => {
    expect(layerOf('services/energy/quota.ts')?.name).toBe('domain');
    expect(layerOf('services/app.ts')?.name).toBe('composition');
    expect(layerOf('services/store/influx/influxql.ts')?.name).toBe('store');
    expect(importsOf('services/figuresWiring.ts')).toContain('services/figures/statusService.ts');
  });
});
