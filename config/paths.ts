/** Where the project's data files live, whether running from source (tsx, jest) or from dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'config', 'coefficients.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${start}`);
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

export function configAsset(name: string): string {
  return path.join(PROJECT_ROOT, 'config', name);
}
