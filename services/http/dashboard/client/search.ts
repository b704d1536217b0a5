/**
 * Enterprise search in the header (issue 21): by name, id or unified social credit code. The
 * browser's own suggestion list (datalist) offers matches as one types; Enter opens the best match:
 * an exact name, id or code first, then the first whose name, id or code contains the text.
 */
import { api } from './api';
import { h } from './dom';
import { t } from './i18n';
import type { EnterpriseInfo, SignedIn } from './types';

let cached: Promise<EnterpriseInfo[]> | undefined;

/** The enterprises are read once per page load (the configuration changes only with a restart). */
function enterprises(): Promise<EnterpriseInfo[]> {
  cached ??= api<EnterpriseInfo[]>('/api/enterprises').catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

export function findEnterprise(list: readonly EnterpriseInfo[], text: string): EnterpriseInfo | undefined {
  const q = text.trim().toLowerCase();
  if (!q) return undefined;
  const keys = (e: EnterpriseInfo) => [e.name, e.id, e.creditCode ?? ''].map((k) => k.toLowerCase());
  return list.find((e) => keys(e).includes(q)) ?? list.find((e) => keys(e).some((k) => k !== '' && k.includes(q)));
}

/** The search box; nothing for an enterprise manager, who sees one enterprise. */
export function searchBox(session: SignedIn, toast: (text: string) => void): HTMLElement | null {
  if (session.role === 'enterprise') return null;
  const options = h('datalist', { id: 'enterprise-options' });
  const input = h('input', {
    id: 'enterprise-search',
    type: 'search',
    list: 'enterprise-options',
    placeholder: t('searchPlaceholder'),
    autocomplete: 'off',
    'aria-label': t('search'),
  });
  void enterprises().then(
    (list) => options.append(...list.map((e) => h('option', { value: e.name }, [e.id, e.creditCode].filter(Boolean).join(' · ')))),
    () => undefined,
  );
  const form = h(
    'form',
    { className: 'search', role: 'search' },
    h('label', { for: 'enterprise-search', className: 'visually-hidden' }, t('search')),
    input,
    options,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void enterprises().then((list) => {
      const found = findEnterprise(list, input.value);
      if (found) {
        input.value = '';
        location.hash = `#/enterprise/${encodeURIComponent(found.id)}`;
      } else toast(t('searchNoMatch', { q: input.value }));
    });
  });
  return form;
}
