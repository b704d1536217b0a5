/**
 * The drill-down path (issue 21): 辖区总览 / District overview › industry › enterprise › meter on the
 * industry, enterprise and meter pages. Every level above the current one is a link, the current one
 * is not (aria-current). An enterprise manager cannot open the district (main.ts sends them to their
 * enterprise) nor an industry (industry.ts does the same), so their path starts at their enterprise.
 */
import { h } from './dom';
import { industryLabel } from './format';
import { t } from './i18n';
import type { SignedIn } from './types';

export function industryHref(code: string): string {
  return `#/industry/${encodeURIComponent(code)}`;
}

export function enterpriseHref(id: string): string {
  return `#/enterprise/${encodeURIComponent(id)}`;
}

/** An industry as its code and name in the page's language ("3216 铝冶炼", "3216 Aluminium smelting"). */
export function industryTitle(code: string, zhName?: string): string {
  return `${code} ${industryLabel(code, zhName)}`.trim();
}

export interface CrumbPath {
  readonly industry: string;
  /** The industry's configured name (the overview's), else the GB/T 4754 table's. */
  readonly industryName?: string;
  readonly enterprise?: { readonly id: string; readonly name: string };
  /** The meter's label ("e-main · 总电能表"). */
  readonly meter?: string;
}

export function breadcrumb(session: SignedIn, path: CrumbPath): HTMLElement {
  const { enterprise, meter } = path;
  const staff = session.role !== 'enterprise';
  // [label, href]: the last level is the page itself, without a link.
  const levels: [string, string][] = [
    ...(staff
      ? ([
          [t('overview'), '#/'],
          [industryTitle(path.industry, path.industryName), industryHref(path.industry)],
        ] as [string, string][])
      : []),
    ...(enterprise ? ([[enterprise.name, enterpriseHref(enterprise.id)]] as [string, string][]) : []),
    ...(meter ? ([[meter, '']] as [string, string][]) : []),
  ];
  const items = levels.map(([label, href], i) =>
    h('li', {}, i === levels.length - 1 ? h('span', { 'aria-current': 'page' }, label) : h('a', { href }, label)),
  );
  return h('nav', { className: 'breadcrumb', 'aria-label': t('breadcrumb') }, h('ol', {}, ...items));
}
