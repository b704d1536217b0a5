/** What every page gets: where to draw, who is signed in, the live stream, and page-leave hooks. */
import type { Live } from './live';
import type { SignedIn } from './types';
import { h, replace } from './dom';
import { t } from './i18n';
import { ApiError } from './api';

export interface PageContext {
  readonly main: HTMLElement;
  readonly session: SignedIn;
  readonly live: Live;
  /** Path segments after the page name, e.g. ["alu01"] for #/enterprise/alu01. */
  readonly params: readonly string[];
  onLeave(fn: () => void): void;
  toast(text: string): void;
  /** Re-renders the current page (after an action or a language switch). */
  refresh(): void;
}

export type Page = (ctx: PageContext) => Promise<void>;

export function canWrite(session: SignedIn): boolean {
  return session.role === 'admin' || session.role === 'officer';
}

export function showError(main: HTMLElement, err: unknown, retry: () => void): void {
  const message = err instanceof ApiError ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err);
  replace(
    main,
    h(
      'section',
      { className: 'panel error', role: 'alert' },
      h('h1', {}, t('error')),
      h('p', {}, message),
      h('button', { type: 'button', onclick: retry }, t('retry')),
    ),
  );
}

/** A heading row with the period and zone, so every figure on the page can be traced. */
export function pageHeader(title: string, ...meta: (string | null)[]): HTMLElement {
  return h('div', { className: 'page-head' }, h('h1', {}, title), h('p', { className: 'meta' }, meta.filter((m) => m).join(' · ')));
}
