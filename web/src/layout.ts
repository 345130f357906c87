/** The frame every page shares: header with navigation, a main region, and the refresh loop. */
import { h, replace } from './dom';
import { errorBox } from './api';

export const REFRESH_MS = 30_000;

export interface PageFrame {
  main: HTMLElement;
  status: HTMLElement;
}

/** Puts the header and an empty main region into the body; `current` marks the nav entry. */
export function frame(title: string, current: 'board' | 'incidents' | 'tv' | null): PageFrame {
  document.title = `${title} · slo-engine`;
  const link = (href: string, text: string, key: typeof current): HTMLElement =>
    h('a', { href, 'aria-current': current === key ? 'page' : null }, text);
  const status = h('span', { class: 'status', id: 'status', role: 'status', 'aria-live': 'polite' }, 'loading…');
  const header = h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '/' }, 'slo-engine'),
    h('nav', { 'aria-label': 'board' }, link('/', 'Budgets', 'board'), link('/incidents', 'Incidents', 'incidents'), link('/tv', 'Wall screen', 'tv'), h('a', { href: '/docs' }, 'API')),
    status,
  );
  const main = h('main', { id: 'main' }, h('h1', {}, title));
  replace(document.body, header, main);
  return { main, status };
}

/**
 * Runs `load` now and every REFRESH_MS; shows when the data was read, or the error (the previous
 * view stays on screen when a refresh fails, marked stale).
 */
export function refreshing(status: HTMLElement, target: HTMLElement, load: () => Promise<void>, everyMs = REFRESH_MS): void {
  let loaded = false;
  const run = async (): Promise<void> => {
    try {
      await load();
      loaded = true;
      status.textContent = `updated ${new Date().toLocaleTimeString()}`;
      status.classList.remove('stale');
    } catch (error) {
      status.classList.add('stale');
      status.textContent = `refresh failed: ${error instanceof Error ? error.message : String(error)}`;
      if (!loaded) replace(target, errorBox(error));
    }
  };
  void run();
  window.setInterval(() => void run(), everyMs);
}

/** A section with a heading (h2) and its content. */
export function section(title: string, ...content: Array<Node | string | null>): HTMLElement {
  return h('section', { 'aria-label': title }, h('h2', {}, title), ...content);
}

/** A table from a header row and rows of cells (strings become text, nodes are kept). */
export function table(caption: string | null, head: string[], rows: Array<Array<Node | string>>, attrs: Record<string, string> = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}
