/**
 * Reading the `read` API from the page. With `auth.publicRead: false` the API answers 401: the page
 * then shows a token form, keeps the token in this browser (localStorage) and sends it as a Bearer
 * header. A token the API refuses (401 again) is forgotten and asked for again.
 */
import { h, replace } from './dom';

const TOKEN_KEY = 'sloEngineToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let tokenPrompt: Promise<void> | null = null;

function headers(): HeadersInit {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : { Accept: 'application/json' };
}

/** GET a `read` API path ("/v1/slos"), asking for a token once when the API wants one. */
export async function get<T>(path: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(path, { headers: headers(), credentials: 'same-origin' });
    if (res.status === 401 && attempt < 3) {
      localStorage.removeItem(TOKEN_KEY);
      await askForToken(attempt > 0);
      continue;
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { message?: unknown };
        if (typeof body.message === 'string') message = body.message;
      } catch {
        /* not JSON: keep the status line */
      }
      throw new ApiError(res.status, message);
    }
    return (await res.json()) as T;
  }
}

/** Shows the token form over the page (one at a time) and resolves once a token is entered. */
function askForToken(refused: boolean): Promise<void> {
  tokenPrompt ??= new Promise<void>((resolve) => {
    const input = h('input', { type: 'password', id: 'token-input', name: 'token', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
    const form = h(
      'form',
      { class: 'token-form', id: 'token-form' },
      h('h2', {}, 'This board needs a token'),
      h('p', { id: 'token-help' }, refused ? 'That token was refused. ' : '', 'Enter a token with the read scope; it is kept in this browser only.'),
      h('label', { for: 'token-input' }, 'Token'),
      input,
      h('button', { type: 'submit' }, 'Show the board'),
    );
    const overlay = h('div', { class: 'token-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'token-form' }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      localStorage.setItem(TOKEN_KEY, input.value.trim());
      overlay.remove();
      tokenPrompt = null;
      resolve();
    });
    document.body.appendChild(overlay);
    input.focus();
  });
  return tokenPrompt;
}

/** Query string from defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h('p', { class: 'error', role: 'alert' }, `Could not load: ${message}`);
}

export function showError(target: Element, error: unknown): void {
  replace(target, errorBox(error));
}
