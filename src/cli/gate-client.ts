import { ChangeType } from '../policies/domain/gate-matrix';

/**
 * `slo-engine gate` client: the request sent to `POST /v1/deploy-gate` (SPEC §7), the call itself
 * and how an HTTP answer (or a network failure) becomes an outcome.
 */

export interface GateRequestBody {
  service: string;
  changeType: ChangeType;
  version?: string;
  environment?: string;
  requestedBy?: string;
}

export interface GateRequest {
  /** `${base URL without trailing slash}/v1/deploy-gate` */
  endpoint: string;
  body: GateRequestBody;
  token?: string;
  failOpen: boolean;
  timeoutMs: number;
}

export interface GateDecision {
  decision: 'allow' | 'deny';
  service?: string;
  changeType?: string;
  zone?: string;
  reasons: string[];
  warnings: string[];
  decisionId?: string;
  evaluatedAt?: string;
}

export interface ProblemLine {
  path: string;
  message: string;
}

/** What came of one run of the command. */
export type GateOutcome =
  | { kind: 'decision'; decision: GateDecision }
  /** an HTTP 4xx: the engine answered and refused the request */
  | { kind: 'refused'; status: number; statusText: string; message: string; details: ProblemLine[] }
  /** no decision: network error, timeout, 3xx, 5xx, a 2xx that is not a decision */
  | { kind: 'unavailable'; reason: string }
  /** the command line does not make a request */
  | { kind: 'usage'; problem: string };

/** POSTs the request and reads the answer; never throws for what the network or engine does. */
export async function askGate(request: GateRequest, fetchFn: typeof fetch = fetch): Promise<GateOutcome> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'slo-engine-cli',
  };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  try {
    const response = await fetchFn(request.endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify(request.body),
      // A redirect would turn the POST into a GET and may drop or leak the Authorization header.
      redirect: 'manual',
      // Covers connecting, the headers and the body.
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return outcomeOf(response.status, response.statusText, response.headers.get('location'), text);
  } catch (error) {
    return { kind: 'unavailable', reason: `could not reach ${request.endpoint}: ${networkReason(error, request.timeoutMs)}` };
  }
}

/** The outcome of an HTTP answer (pure). */
export function outcomeOf(status: number, statusText: string, location: string | null, text: string): GateOutcome {
  const json = parseJson(text);
  const http = `HTTP ${status}${statusText ? ` ${clean(statusText, 100)}` : ''}`;
  if (status >= 200 && status < 300) {
    const decision = asDecision(json);
    if (decision) return { kind: 'decision', decision };
    return { kind: 'unavailable', reason: `${http} but the body is not a gate decision: ${snippet(text)}` };
  }
  if (status >= 400 && status < 500) {
    const body = isObject(json) ? json : {};
    const message =
      typeof body.message === 'string' && body.message.trim() !== ''
        ? clean(body.message)
        : text.trim() !== '' && json === undefined
          ? snippet(text)
          : '(no message)';
    const details = Array.isArray(body.details)
      ? body.details.filter(isObject).map((d) => ({ path: clean(String(d.path ?? ''), 200), message: clean(String(d.message ?? '')) }))
      : [];
    return { kind: 'refused', status, statusText: clean(statusText, 100), message, details };
  }
  if (status >= 300 && status < 400) {
    const to = location ? ` to ${clean(location, 300)}` : '';
    return { kind: 'unavailable', reason: `${http}: redirected${to}; give the final URL in --url` };
  }
  const message = isObject(json) && typeof json.message === 'string' ? `: ${clean(json.message)}` : '';
  return { kind: 'unavailable', reason: `${http}${message}` };
}

function asDecision(json: unknown): GateDecision | undefined {
  if (!isObject(json)) return undefined;
  const { decision, reasons, warnings } = json;
  if (decision !== 'allow' && decision !== 'deny') return undefined;
  if (!isStringArray(reasons)) return undefined;
  if (warnings !== undefined && !isStringArray(warnings)) return undefined;
  const optional = (value: unknown): string | undefined => (typeof value === 'string' ? clean(value, 200) : undefined);
  return {
    decision,
    service: optional(json.service),
    changeType: optional(json.changeType),
    zone: optional(json.zone),
    reasons: reasons.map((r) => clean(r)),
    warnings: (warnings ?? []).map((w) => clean(w)),
    decisionId: optional(json.decisionId),
    evaluatedAt: optional(json.evaluatedAt),
  };
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as (Error & { code?: string; errors?: unknown[] }) | undefined) : undefined;
  if (cause instanceof Error) {
    const what = cause.code ? (NETWORK_CODES[cause.code] ?? cause.code) : undefined;
    const inner = Array.isArray(cause.errors) ? cause.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ') : '';
    const detail = clean(inner || cause.message, 300);
    return what && detail && detail !== what ? `${what} (${detail})` : what || detail || 'network error';
  }
  return clean(error instanceof Error ? error.message : String(error), 300) || 'network error';
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the other side',
};

/** Server-supplied text on one line without control characters (no forged CI log lines). */
function clean(text: string, max = 1000): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function snippet(text: string): string {
  return text.trim() === '' ? '(empty body)' : `"${clean(text, 200)}"`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}
