/**
 * Summarises a V8 .cpuprofile (`node --cpu-prof`): self time by function and by file/package.
 * Also a CLI: `node --require tsx/cjs bench/ingest/cpuProfile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a project file, `pkg:<name>` for node_modules, `node:<lib>`, or V8's own. */
function place(url: string): string {
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return url;
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = file.slice(nm + 'node_modules/'.length).split('/');
    return `pkg:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  return path.relative(PROJECT_ROOT, file) || file;
}

export function summariseProfile(profile: CpuProfile, options: { top?: number } = {}): string {
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const where = place(f.url);
    const name = `${f.functionName || '(anonymous)'}  ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [
    `CPU profile: ${(total / 1e6).toFixed(1)} s sampled (wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s)`,
    '',
    'self time by function:',
  ];
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)} ${ms(us)}  ${name}`);
  // Inclusive ("total") time of the project's own functions: every sample counts once for each
  // distinct project function on its stack, so a function's figure includes what it calls.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  const ownKey = new Map<number, string | undefined>();
  const keyOf = (id: number): string | undefined => {
    if (!ownKey.has(id)) {
      const f = byId.get(id)!.callFrame;
      const where = place(f.url);
      const own = f.url !== '' && !where.startsWith('node:') && !where.startsWith('pkg:');
      ownKey.set(id, own ? `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}` : undefined);
    }
    return ownKey.get(id);
  };
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = keyOf(at);
      if (k !== undefined && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + us);
      }
    }
  }
  lines.push('', 'total (inclusive) time of project functions:');
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)} ${ms(us)}  ${name}`);
  lines.push('', 'self time by file / package:');
  for (const [where, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)} ${ms(us)}  ${where}`);
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: cpuProfile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, { top: Number(process.argv[3] ?? 30) }));
}
