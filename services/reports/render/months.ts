/** Month lists as people read them in every format. */

/** The months intensity is taken over: a run as `2026-01 – 2026-11`, gaps listed. */
export function monthsLabel(months: readonly string[]): string | null {
  if (months.length === 0) return null;
  const runs: string[][] = [];
  for (const m of months) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && nextMonth(prev) === m) run.push(m);
    else runs.push([m]);
  }
  return runs.map((r) => (r.length === 1 ? r[0]! : `${r[0]!} – ${r[r.length - 1]!}`)).join(', ');
}

function nextMonth(m: string): string {
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}
