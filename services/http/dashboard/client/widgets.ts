/** Small pieces the pages share: traffic lights, KPI cards, sortable tables. */
import { h, replace, type Child } from './dom';
import { t, type MessageKey } from './i18n';
import type { Level, Severity } from './types';

export function light(level: Level | null | undefined): HTMLElement {
  // Colour plus a word: the light must not depend on colour vision alone.
  if (!level) return h('span', { className: 'light none' }, t('none'));
  return h('span', { className: `light ${level}` }, h('span', { className: 'dot', 'aria-hidden': 'true' }), t(level));
}

/** A light that carries its own words (on track, meets the line) instead of the level's name. */
export function mark(ok: boolean, text: string): HTMLElement {
  return h('span', { className: `light ${ok ? 'green' : 'red'}` }, h('span', { className: 'dot', 'aria-hidden': 'true' }), text);
}

export function severityBadge(severity: Severity): HTMLElement {
  return h('span', { className: `badge ${severity}` }, t(severity));
}

/** A figure card; `value` and `sub` may be links (a count that opens the list it counts). */
export function card(label: string, value: Child, sub?: Child): HTMLElement {
  return h(
    'div',
    { className: 'card' },
    h('div', { className: 'label' }, label),
    h('div', { className: 'value' }, value),
    sub ? h('div', { className: 'sub' }, sub) : null,
  );
}

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly cell: (row: R) => Child;
  /** Sort value; the column is sortable when given. */
  readonly sort?: (row: R) => number | string | null;
  readonly numeric?: boolean;
}

/** A table whose sortable headers are buttons (keyboard reachable) with aria-sort on the header. */
export function sortableTable<R>(
  id: string,
  caption: string,
  columns: readonly Column<R>[],
  rows: readonly R[],
  initial?: { key: string; dir: 1 | -1 },
  /** Attributes of each row's <tr>, kept when a sort redraws the rows (live updates find rows by them). */
  rowAttributes?: (row: R) => Record<string, string>,
): HTMLElement {
  let sortKey = initial?.key;
  let dir: 1 | -1 = initial?.dir ?? 1;
  const table = h('table', { id, className: 'data' });
  const wrap = h('div', { className: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 }, table);
  const draw = () => {
    const col = columns.find((c) => c.key === sortKey);
    const sorted = col?.sort ? [...rows].sort((a, b) => compare(col.sort!(a), col.sort!(b)) * dir) : [...rows];
    replace(
      table,
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) =>
            h(
              'th',
              {
                scope: 'col',
                className: c.numeric ? 'num' : '',
                'data-key': c.key,
                ...(c.sort && { 'aria-sort': c.key === sortKey ? (dir === 1 ? 'ascending' : 'descending') : 'none' }),
              },
              c.sort
                ? h(
                    'button',
                    {
                      type: 'button',
                      className: 'sort',
                      title: `${t('sortBy')} ${c.label}`,
                      onclick: () => {
                        dir = sortKey === c.key ? (dir === 1 ? -1 : 1) : c.numeric ? -1 : 1;
                        sortKey = c.key;
                        draw();
                        (table.querySelector(`th[data-key="${c.key}"] button`) as HTMLButtonElement | null)?.focus();
                      },
                    },
                    c.label,
                  )
                : c.label,
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        sorted.map((r) =>
          h(
            'tr',
            rowAttributes?.(r) ?? {},
            // data-key on cells as on headers: a narrow screen hides low-priority columns by key (app.css).
            columns.map((c) => h('td', { className: c.numeric ? 'num' : '', 'data-key': c.key }, c.cell(r))),
          ),
        ),
      ),
    );
  };
  draw();
  return wrap;
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'zh-CN');
}

export function section(titleKey: MessageKey, ...children: Child[]): HTMLElement {
  return h('section', { className: 'panel' }, h('h2', {}, t(titleKey)), ...children);
}
