/** The dashboard's shell: sign-in, navigation, language switch, live indicator, hash routing. */
import { api, ApiError } from './api';
import { disposeCharts, mountCharts } from './charts';
import type { Page, PageContext } from './context';
import { showError } from './context';
import { h, replace } from './dom';
import { lang, setLang, t, tOr } from './i18n';
import { Live } from './live';
import { alarmsPage } from './pages/alarms';
import { benchmarkPage } from './pages/benchmark';
import { carbonPage } from './pages/carbon';
import { dataPage } from './pages/data';
import { enterprisePage } from './pages/enterprise';
import { industryPage } from './pages/industry';
import { meterRoute } from './pages/meter';
import { searchBox } from './search';
import { overviewPage } from './pages/overview';
import { reportsPage } from './pages/reports';
import type { Session, SignedIn } from './types';

const PAGES: Record<string, Page> = {
  '': overviewPage,
  enterprise: enterprisePage,
  industry: industryPage,
  carbon: carbonPage,
  benchmark: benchmarkPage,
  alarms: alarmsPage,
  reports: reportsPage,
  data: dataPage,
};

let session: SignedIn | undefined;
let leaveHooks: (() => void)[] = [];
let liveConnected = false;
const live = new Live((connected) => {
  liveConnected = connected;
  const dot = document.getElementById('live-state');
  if (dot) {
    dot.className = connected ? 'live on' : 'live off';
    dot.textContent = connected ? t('live') : t('offline');
  }
});

function toast(text: string): void {
  const region = document.getElementById('toasts');
  if (!region) return;
  const item = h('div', { className: 'toast', role: 'status' }, text);
  region.appendChild(item);
  setTimeout(() => item.remove(), 6000);
}

function route(): { name: string; params: string[] } {
  // The query after `?` is the page's own (the period of issue 21, periodHash.ts), not a path segment.
  const parts = location.hash
    .replace(/^#\/?/, '')
    .replace(/\?.*$/, '')
    .split('/')
    .filter((p) => p)
    .map(decodeURIComponent);
  return { name: parts[0] ?? '', params: parts.slice(1) };
}

function renderHeader(s: SignedIn): void {
  const header = document.getElementById('top');
  if (!header) return;
  const current = route().name;
  const link = (name: string, label: string) => h('a', { href: `#/${name}`, ...(current === name && { 'aria-current': 'page' }) }, label);
  const home = s.role === 'enterprise' && s.enterprise ? `enterprise/${s.enterprise}` : '';
  replace(
    header,
    h('div', { className: 'brand' }, t('appTitle')),
    h(
      'nav',
      { 'aria-label': 'main' },
      link(home, s.role === 'enterprise' ? t('enterprise') : t('overview')),
      link('carbon', t('carbon')),
      link('benchmark', t('benchmark')),
      link('alarms', t('alarms')),
      link('reports', t('reports')),
      link('data', t('data')),
    ),
    h(
      'div',
      { className: 'tools' },
      h(
        'span',
        { id: 'live-state', className: liveConnected ? 'live on' : 'live off', 'aria-live': 'polite' },
        liveConnected ? t('live') : t('offline'),
      ),
      searchBox(s, toast),
      h('span', { className: 'who' }, `${s.name} (${tOr(`role_${s.role}`, s.role)})`),
      languageSwitch(),
      h('button', { type: 'button', id: 'sign-out', onclick: () => void signOut() }, t('signOut')),
    ),
  );
}

let navigated = false;
let generation = 0;

/**
 * Draws the current route. A page is built off-screen and swapped in whole when its data is
 * there, so a refresh (live events) does not flicker, and a slower earlier render that finishes
 * after a newer one is thrown away instead of overwriting it.
 */
async function render(): Promise<void> {
  const main = document.getElementById('main');
  if (!main) return;
  const mine = ++generation;
  document.title = t('appTitle');
  if (!session) {
    leave();
    disposeCharts();
    return renderSignIn(main);
  }
  renderHeader(session);
  const { name, params } = route();
  if (name === '' && session.role === 'enterprise' && session.enterprise) {
    location.replace(`#/enterprise/${encodeURIComponent(session.enterprise)}`);
    return;
  }
  // #/enterprise/{id}/meter/{meterId}/...: the meter page (drill-down below the enterprise).
  const page = name === 'enterprise' && params[1] === 'meter' ? meterRoute : PAGES[name];
  const moved = navigated;
  navigated = false;
  if (moved) replace(main, h('p', { className: 'loading' }, t('loading')));
  if (!page) {
    leave();
    replace(main, h('section', { className: 'panel' }, h('h1', {}, t('notFound'))));
    return;
  }
  const container = h('div', { className: 'page' });
  const hooks: (() => void)[] = [];
  const ctx: PageContext = {
    main: container,
    session,
    live,
    params,
    onLeave: (fn) => hooks.push(fn),
    toast,
    refresh: () => void render(),
  };
  try {
    await page(ctx);
  } catch (err) {
    if (mine !== generation) return hooks.forEach((fn) => fn());
    if (err instanceof ApiError && err.status === 401) {
      session = undefined;
      live.close();
      hooks.forEach((fn) => fn());
      return render();
    }
    showError(container, err, () => void render());
  }
  if (mine !== generation) {
    hooks.forEach((fn) => fn());
    return;
  }
  leave();
  leaveHooks = hooks;
  disposeCharts();
  replace(main, container);
  mountCharts();
  // After moving between pages, keyboard and screen-reader users continue in the new content.
  if (moved) main.focus({ preventScroll: true });
}

function leave(): void {
  for (const hook of leaveHooks) hook();
  leaveHooks = [];
}

/** The zh-CN / English switch of the header, signed in or not. */
function languageSwitch(): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      id: 'lang-switch',
      'aria-label': t('languageLabel'),
      onclick: () => {
        setLang(lang() === 'en' ? 'zh-CN' : 'en');
        void render();
      },
    },
    t('language'),
  );
}

function renderSignIn(main: HTMLElement): void {
  const header = document.getElementById('top');
  if (header) replace(header, h('div', { className: 'brand' }, t('appTitle')), h('div', { className: 'tools' }, languageSwitch()));
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'aria-describedby': 'token-hint',
  });
  const problem = h('p', { className: 'problem', role: 'alert', id: 'sign-in-problem' });
  const form = h(
    'form',
    { className: 'panel sign-in', id: 'sign-in' },
    h('h1', {}, t('signIn')),
    h('label', { for: 'token' }, t('tokenLabel')),
    input,
    h('p', { className: 'hint', id: 'token-hint' }, t('tokenHint')),
    problem,
    h('button', { type: 'submit' }, t('signIn')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api<Session>('/api/session', { method: 'POST', body: { token: input.value } }).then(
      (s) => {
        if (!s.signedIn) throw new Error('sign-in refused');
        session = s;
        live.connect();
        return render();
      },
      (err: unknown) => {
        problem.textContent = err instanceof ApiError && err.status === 401 ? t('signInFailed') : err instanceof Error ? err.message : String(err);
        input.focus();
      },
    );
  });
  replace(main, form);
  input.focus();
}

async function signOut(): Promise<void> {
  await api<undefined>('/api/session', { method: 'DELETE' });
  session = undefined;
  live.close();
  location.hash = '';
  await render();
}

async function boot(): Promise<void> {
  setLang(lang());
  const s = await api<Session>('/api/session');
  if (s.signedIn) {
    session = s;
    live.connect();
  }
  window.addEventListener('hashchange', () => {
    navigated = true;
    void render();
  });
  await render();
}

void boot();
