/**
 * The documentation works in a clone: every relative link in README.md and docs/**\/*.md points to
 * a file inside the repository (never `../shared/...`, which exists only beside the working tree),
 * and a `#fragment` names a heading of its target (GitHub's anchors). Links in code spans and
 * fenced blocks are examples, not links, and are left alone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../config/paths';

function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(PROJECT_ROOT, dir))) {
      const rel = `${dir}/${entry}`;
      if (statSync(path.join(PROJECT_ROOT, rel)).isDirectory()) walk(rel);
      else if (rel.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
}

/** The text without fenced blocks and code spans (same length per line, so line numbers hold). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/`[^`]*`/g, (m) => ' '.repeat(m.length));
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters of any script kept), spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsIn(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = anchorOf(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const LINK = /\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)/g;

interface Problem {
  readonly at: string;
  readonly link: string;
  readonly why: string;
}

/** The link targets of a Markdown text with their line numbers (1-based), outside code. */
function linksIn(text: string): { line: number; link: string }[] {
  return prose(text).flatMap((line, i) => [...line.matchAll(LINK)].map((m) => ({ line: i + 1, link: m[1] ?? m[2]! })));
}

function problemsOf(file: string): Problem[] {
  const problems: Problem[] = [];
  for (const { line, link } of linksIn(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'))) {
    {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: ...
      const at = `${file}:${line}`;
      const [target = '', fragment] = link.split('#');
      const resolved = target === '' ? path.join(PROJECT_ROOT, file) : path.resolve(path.dirname(path.join(PROJECT_ROOT, file)), decodeURI(target));
      if (path.relative(PROJECT_ROOT, resolved).startsWith('..')) {
        problems.push({ at, link, why: 'outside the repository (missing in a clone)' });
        continue;
      }
      if (!existsSync(resolved)) {
        problems.push({ at, link, why: 'no such file' });
        continue;
      }
      if (fragment !== undefined && resolved.endsWith('.md') && !anchorsIn(resolved).has(decodeURIComponent(fragment))) {
        problems.push({ at, link, why: `no heading with the anchor #${fragment}` });
      }
    }
  }
  return problems;
}

describe('documentation links work in a clone', () => {
  it('computes GitHub anchors (by hand from GitHub pages)', () => {
    expect(anchorOf('The ledger (台账)')).toBe('the-ledger-台账');
    expect(anchorOf('Demo (config/demo.yaml, ingest/simulator)')).toBe('demo-configdemoyaml-ingestsimulator');
    expect(anchorOf('Rules, alarms and alert mail')).toBe('rules-alarms-and-alert-mail');
  });

  it('finds the dead links it is meant to find', () => {
    const text = 'see [contract](../shared/spec/contract.md) and `[code](nowhere.md)`\n```\n[fenced](x.md)\n```\n[ref]: docs/a.md';
    expect(linksIn(text)).toEqual([
      { line: 1, link: '../shared/spec/contract.md' },
      { line: 5, link: 'docs/a.md' },
    ]);
  });

  it.each(markdownFiles())('%s: every relative link resolves inside the repository', (file) => {
    expect(problemsOf(file)).toEqual([]);
  });
});
