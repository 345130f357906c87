import { parseArgs } from 'node:util';
import { CHANGE_TYPES, ChangeType } from '../policies/domain/gate-matrix';

/**
 * `slo-engine gate` (SPEC §10): asks `POST /v1/deploy-gate` (SPEC §7) whether a change may ship,
 * prints the decision for a CI log and maps the outcome to an exit code.
 */

export const DEFAULT_GATE_TIMEOUT_MS = 10_000;
/** Overrides the 10 s timeout; meant for tests only (they cannot wait 10 s for a silent server). */
export const GATE_TIMEOUT_ENV = 'SLO_ENGINE_GATE_TIMEOUT_MS';
export const TOKEN_ENV = 'SLO_ENGINE_TOKEN';

export const GATE_USAGE = `usage: slo-engine gate --url URL --service NAME [options]

Asks the engine's deploy gate (POST URL/v1/deploy-gate) whether a change may ship and prints the
decision with its reasons.

options:
  --url URL           the engine's base URL, e.g. https://slo.example.com (required)
  --service NAME      the service being deployed (required)
  --change-type T     ${CHANGE_TYPES.join(' | ')} (default feature)
  --version V         the version being deployed
  --environment E     the target environment
  --requested-by R    who or what asks (a person, a pipeline)
  --token TOKEN       a token with the gate scope; default $${TOKEN_ENV} (--token wins). Prefer
                      the variable: command lines are visible to other processes. Never printed.
  --fail-open         exit 0 instead of 2 when the engine cannot answer (a warning is printed);
                      a deny stays 1 and a refused request stays 3
  -h, --help          this text

exit codes:
  0  allow
  1  deny
  2  the engine could not answer: network or DNS error, connection refused, no answer within
     10 s, HTTP 5xx or 3xx, or a 2xx whose body is not a decision (0 with --fail-open)
  3  the request was refused: HTTP 4xx (unknown service, missing or bad token, missing scope,
     invalid input); also bad usage of this command (the request cannot be made as asked)

environment:
  ${TOKEN_ENV}            the token when --token is not given
  ${GATE_TIMEOUT_ENV}  for tests only: the timeout in milliseconds (default ${DEFAULT_GATE_TIMEOUT_MS})
`;

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

export const GATE_EXIT = { allow: 0, deny: 1, unavailable: 2, refused: 3, usage: 3 } as const;

/** The exit code of SPEC §10. `failOpen` turns "unavailable" (2) into 0 and changes nothing else. */
export function exitCodeFor(outcome: GateOutcome, failOpen = false): number {
  switch (outcome.kind) {
    case 'decision':
      return outcome.decision.decision === 'allow' ? GATE_EXIT.allow : GATE_EXIT.deny;
    case 'refused':
      return GATE_EXIT.refused;
    case 'unavailable':
      return failOpen ? 0 : GATE_EXIT.unavailable;
    case 'usage':
      return GATE_EXIT.usage;
  }
}

type Env = Record<string, string | undefined>;

export type ParsedGateArgs = { help: true } | { problem: string } | { request: GateRequest };

/** The command line and environment as a request, or what is wrong with them. Makes no call. */
export function parseGateArgs(args: string[], env: Env): ParsedGateArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        service: { type: 'string' },
        'change-type': { type: 'string' },
        version: { type: 'string' },
        environment: { type: 'string' },
        'requested-by': { type: 'string' },
        token: { type: 'string' },
        'fail-open': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the option, never its value; keep only the first line of its message.
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { problem: message.replace(/\. This command does not take positional arguments$/, '') };
  }
  if (values.help === true) return { help: true };

  const str = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value.trim() : undefined;
  };
  for (const name of ['url', 'service', 'change-type', 'version', 'environment', 'requested-by', 'token']) {
    if (str(name) === '') return { problem: `--${name} must not be empty` };
  }

  const rawUrl = str('url');
  if (rawUrl === undefined) return { problem: 'missing --url' };
  const service = str('service');
  if (service === undefined) return { problem: 'missing --service' };
  const endpoint = endpointOf(rawUrl);
  if ('problem' in endpoint) return endpoint;

  const changeType = str('change-type') ?? 'feature';
  if (!isChangeType(changeType)) {
    return { problem: `unknown --change-type "${changeType}" (one of ${CHANGE_TYPES.join(', ')})` };
  }

  const envToken = env[TOKEN_ENV]?.trim();
  const token = str('token') ?? (envToken === '' ? undefined : envToken);
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    const from = str('token') !== undefined ? '--token' : TOKEN_ENV;
    return { problem: `the token from ${from} has characters a header cannot carry (spaces, control or non-ASCII characters)` };
  }

  const timeout = timeoutOf(env[GATE_TIMEOUT_ENV]);
  if (typeof timeout !== 'number') return timeout;

  const body: GateRequestBody = { service, changeType };
  const version = str('version');
  const environment = str('environment');
  const requestedBy = str('requested-by');
  if (version !== undefined) body.version = version;
  if (environment !== undefined) body.environment = environment;
  if (requestedBy !== undefined) body.requestedBy = requestedBy;

  return {
    request: { endpoint: endpoint.endpoint, body, token, failOpen: values['fail-open'] === true, timeoutMs: timeout },
  };
}

function isChangeType(value: string): value is ChangeType {
  return (CHANGE_TYPES as readonly string[]).includes(value);
}

function endpointOf(raw: string): { endpoint: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `--url "${raw}" is not an absolute URL (e.g. https://slo.example.com)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `--url must be http or https, not ${url.protocol.replace(/:$/, '')}` };
  }
  // Neither echoed nor sent: fetch refuses credentials in URLs, and the token has its own flag.
  if (url.username !== '' || url.password !== '') {
    return { problem: `--url must not carry credentials; give the token with --token or ${TOKEN_ENV}` };
  }
  if (url.search !== '' || url.hash !== '') {
    return { problem: '--url must be the base URL, without query or fragment' };
  }
  return { endpoint: `${url.href.replace(/\/+$/, '')}/v1/deploy-gate` };
}

function timeoutOf(raw: string | undefined): number | { problem: string } {
  if (raw === undefined || raw.trim() === '') return DEFAULT_GATE_TIMEOUT_MS;
  const ms = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || ms <= 0) {
    return { problem: `${GATE_TIMEOUT_ENV} must be a positive number of milliseconds` };
  }
  return ms;
}

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

/** The lines a human reads in the CI log: a decision on stdout, everything else on stderr. */
export function formatOutcome(outcome: GateOutcome, request: GateRequest | undefined): { stdout: string[]; stderr: string[] } {
  switch (outcome.kind) {
    case 'decision': {
      const d = outcome.decision;
      const service = d.service ?? request?.body.service ?? '?';
      const changeType = d.changeType ?? request?.body.changeType ?? '?';
      const zone = d.zone ? ` (zone ${d.zone})` : '';
      const lines = [`slo-engine gate: ${d.decision.toUpperCase()} ${service} ${changeType}${zone}`];
      for (const reason of d.reasons) lines.push(`  - ${reason}`);
      for (const warning of d.warnings) lines.push(`  warning: ${warning}`);
      if (d.decisionId || d.evaluatedAt) {
        lines.push(`  decision ${d.decisionId ?? '(no id)'}${d.evaluatedAt ? ` at ${d.evaluatedAt}` : ''}`);
      }
      return { stdout: lines, stderr: [] };
    }
    case 'refused': {
      const lines = [
        `slo-engine gate: request refused (HTTP ${outcome.status}${outcome.statusText ? ` ${outcome.statusText}` : ''}): ${outcome.message}`,
      ];
      for (const d of outcome.details) lines.push(`  - ${d.path ? `${d.path}: ` : ''}${d.message}`);
      if (outcome.status === 401) {
        lines.push(
          request?.token === undefined
            ? `  hint: no token was given; pass --token or set ${TOKEN_ENV}`
            : `  hint: the engine does not know the token from --token / ${TOKEN_ENV}`,
        );
      } else if (outcome.status === 403) {
        lines.push('  hint: the token needs the "gate" scope');
      }
      return { stdout: [], stderr: lines };
    }
    case 'unavailable': {
      const lines = [`slo-engine gate: engine unavailable: ${outcome.reason}`];
      if (request?.failOpen) lines.push('slo-engine gate: warning: engine unavailable, failing open (exit 0 instead of 2)');
      return { stdout: [], stderr: lines };
    }
    case 'usage':
      return { stdout: [], stderr: [`slo-engine gate: ${outcome.problem}`, '', GATE_USAGE.trimEnd()] };
  }
}

/** The whole command; returns the exit code. The token is redacted from everything written. */
export async function runGate(
  args: string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchFn: typeof fetch = fetch,
): Promise<number> {
  const secrets = tokenCandidates(args, env);
  const write = (stream: NodeJS.WritableStream, lines: string[]) => {
    if (lines.length > 0) stream.write(`${redact(lines.join('\n'), secrets)}\n`);
  };

  const parsed = parseGateArgs(args, env);
  if ('help' in parsed) {
    write(out, [GATE_USAGE.trimEnd()]);
    return 0;
  }
  const request = 'request' in parsed ? parsed.request : undefined;
  const outcome: GateOutcome = request ? await askGate(request, fetchFn) : { kind: 'usage', problem: (parsed as { problem: string }).problem };
  const { stdout, stderr } = formatOutcome(outcome, request);
  write(out, stdout);
  write(err, stderr);
  return exitCodeFor(outcome, request?.failOpen ?? false);
}

/** Every string that may be the token, found even when the command line does not parse. */
function tokenCandidates(args: string[], env: Env): string[] {
  const found = [env[TOKEN_ENV]];
  args.forEach((arg, i) => {
    if (arg === '--token') found.push(args[i + 1]);
    else if (arg.startsWith('--token=')) found.push(arg.slice('--token='.length));
  });
  return found
    .flatMap((t) => (t === undefined ? [] : [t, t.trim()]))
    .filter((t) => t !== '')
    .sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}

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
