/**
 * The dashboard's script, bundled from client/ (TypeScript) by esbuild on first request and kept
 * in memory: one file, no build step to forget, and the same code from source and from dist/.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';
import { AppError } from '../../core/errors';

export const CLIENT_ENTRY = path.join(PROJECT_ROOT, 'services', 'http', 'dashboard', 'client', 'main.ts');

let bundle: Promise<string> | undefined;

export function clientBundle(): Promise<string> {
  bundle ??= build().catch((err: unknown) => {
    bundle = undefined;
    throw new AppError('dashboard-build', `the dashboard script could not be built: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  });
  return bundle;
}

async function build(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    minify: true,
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'silent',
    // ECharts comes as its own file (/static/vendor/echarts.min.js); the client only uses its types.
    external: ['echarts'],
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return out.text;
}
