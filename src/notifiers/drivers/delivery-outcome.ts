/**
 * From an HTTP answer or a transport error to a `DeliveryResult`, shared by the HTTP drivers.
 * Reasons are short (`HTTP 500`, `timeout`, `ECONNREFUSED`) and never hold a URL or a secret.
 * Pure, no framework imports.
 */
import { truncate } from '../../common/truncate';
import type { DeliveryResult } from './notifier-driver';

const REASON_MAX = 300;

/**
 * Removes every URL and every given secret (routing key, webhook URL and its path) from `text`,
 * flattens it to one line and cuts it to a few hundred characters.
 */
export function scrubReason(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let clean = text.replace(/https?:\/\/\S+/gi, '…');
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join('…');
  }
  clean = clean.replace(/\s+/g, ' ').trim();
  return truncate(clean, REASON_MAX) || 'unknown error';
}

/** The secrets hidden in a webhook URL: the URL itself and its path (Slack's `/services/T…/B…/…`). */
export function urlSecrets(url: string): string[] {
  try {
    const { pathname, search } = new URL(url);
    return [url, pathname.length > 1 ? pathname + search : undefined].filter((s): s is string => s !== undefined);
  } catch {
    return [url];
  }
}

/** `Retry-After` in milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // an HTTP date names its month (`Sat, 21 Nov 2026 10:01:00 GMT`); Date.parse alone reads `-5` as a year
  const date = /[a-z]{3}/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * 2xx delivered; 429 and 5xx retried; a 3xx retried too: the redirect is not followed (the routing
 * key or webhook stays with the configured host), and a page must not be lost to a receiver moved
 * or misconfigured for a while (SPEC §12) — it waits, counted and logged as `HTTP 307: redirect not
 * followed`, for the receiver to answer again or the URL to be fixed by a reload. Every other
 * status (4xx) failed for good. `detail` (the receiver's words) is appended to the reason.
 */
export function outcomeForStatus(
  status: number,
  options: { retryAfter?: string | null; detail?: string; secrets?: ReadonlyArray<string | undefined> } = {},
): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered' };
  if (status >= 300 && status < 400) return { outcome: 'retry', reason: `HTTP ${status}: redirect not followed` };
  const detail = options.detail ? options.detail.replace(/\s+/g, ' ').trim() : '';
  const reason = scrubReason(detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`, options.secrets);
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(options.retryAfter);
    return retryAfterMs === undefined ? { outcome: 'retry', reason } : { outcome: 'retry', reason, retryAfterMs };
  }
  return { outcome: 'failed', reason };
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/**
 * A transport error (no answer) as a retry: `timeout`, the system error code (`ECONNREFUSED`,
 * `ENOTFOUND`, …) found on the error or its causes, or else its scrubbed message. Read by shape,
 * not `instanceof`: errors from fetch may come from another realm (jest's sandbox).
 */
export function transportFailure(error: unknown, secrets: ReadonlyArray<string | undefined> = []): DeliveryResult {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { name, code, message, cause } = current as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
      return { outcome: 'retry', reason: 'timeout' };
    }
    if (typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)) return { outcome: 'retry', reason: code };
    if (typeof message === 'string' && message !== '') messages.push(message);
    current = cause;
  }
  // `fetch failed: bad port`
  return { outcome: 'retry', reason: scrubReason(messages.length > 0 ? messages.join(': ') : String(error), secrets) };
}
