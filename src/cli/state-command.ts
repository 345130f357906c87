import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Env, TOKEN_ENV } from './gate-args';
import { redact } from './gate-command';

/**
 * `slo-engine state export|import` (SPEC §10): `GET /v1/admin/state` written to stdout, and a file
 * of it sent to `PUT /v1/admin/state`. Exit 0 done, 2 unreachable (network error, timeout, 3xx,
 * 5xx), 3 refused (4xx) or bad usage.
 */

export const STATE_EXIT = { done: 0, unreachable: 2, refused: 3, usage: 3 } as const;
export const DEFAULT_STATE_TIMEOUT_MS = 300_000;
/** Overrides the 300 s timeout; meant for tests. */
export const STATE_TIMEOUT_ENV = 'SLO_ENGINE_STATE_TIMEOUT_MS';

export const STATE_USAGE = `usage:
  slo-engine state export --url URL [--token TOKEN] > state.json
  slo-engine state import --url URL [--token TOKEN] FILE

Exports the engine's durable state (GET URL/v1/admin/state: freezes, overrides, silences, alert
states, pending notifications, the audit, deploy markers) to stdout, or imports such an export
(PUT URL/v1/admin/state), merging it by record and clearing a recorded state loss.

options:
  --url URL        the engine's base URL (required)
  --token TOKEN    a token with the admin scope; default $${TOKEN_ENV} (prefer the variable)
  -h, --help       this text

exit codes:
  0  done
  2  the engine could not be reached: network error, no answer within 300 s, HTTP 3xx or 5xx
  3  refused: HTTP 4xx (bad token, missing scope, malformed export); also bad usage
`;

export async function runState(
  args: string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchFn: typeof fetch = fetch,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    out.write(STATE_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { url: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usage(err, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(STATE_USAGE);
    return 0;
  }
  if (sub !== 'export' && sub !== 'import') return usage(err, sub === undefined ? 'export or import?' : `unknown command "${sub}"`);
  if (!values.url) return usage(err, '--url is required');
  if (sub === 'export' && positionals.length !== 0) return usage(err, 'export takes no file: it writes to stdout');
  if (sub === 'import' && positionals.length !== 1) return usage(err, 'import takes one FILE');
  let base: URL;
  try {
    base = new URL(values.url.endsWith('/') ? values.url : `${values.url}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return usage(err, `--url is not an http(s) URL: ${values.url}`);
  }
  const endpoint = new URL('v1/admin/state', base).toString();
  const token = values.token ?? env[TOKEN_ENV];
  const secrets = [token, token?.trim()].filter((t): t is string => t !== undefined && t !== '');
  const fail = (code: number, line: string) => {
    err.write(`${redact(`slo-engine state ${sub}: ${line}`, secrets)}\n`);
    return code;
  };
  const timeoutMs = Number(env[STATE_TIMEOUT_ENV]) > 0 ? Number(env[STATE_TIMEOUT_ENV]) : DEFAULT_STATE_TIMEOUT_MS;

  let body: string | undefined;
  if (sub === 'import') {
    try {
      body = await readFile(positionals[0], 'utf8');
    } catch (error) {
      return fail(STATE_EXIT.usage, `cannot read ${positionals[0]}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'slo-engine-cli' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined && token.trim() !== '') headers.authorization = `Bearer ${token.trim()}`;

  let status: number;
  let text: string;
  try {
    const response = await fetchFn(endpoint, {
      method: sub === 'export' ? 'GET' : 'PUT',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return fail(STATE_EXIT.unreachable, `could not reach ${endpoint}: ${timedOut ? `no answer within ${timeoutMs} ms` : `network error${cause}`}`);
  }
  if (status >= 400 && status < 500) return fail(STATE_EXIT.refused, `refused (HTTP ${status}): ${describe(text)}`);
  if (status < 200 || status >= 300) return fail(STATE_EXIT.unreachable, `engine unavailable (HTTP ${status}): ${describe(text)}`);
  if (sub === 'export') {
    await new Promise<void>((resolve, reject) => out.write(text.endsWith('\n') ? text : `${text}\n`, (e) => (e ? reject(e) : resolve())));
  } else {
    err.write(`slo-engine state import: ${describe(text)}\n`);
  }
  return STATE_EXIT.done;
}

function usage(err: NodeJS.WritableStream, problem: string): number {
  err.write(`slo-engine state: ${problem}\n\n${STATE_USAGE}`);
  return STATE_EXIT.usage;
}

/** A short one-line account of an answer body (the error's message and details, or the counts). */
function describe(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() === '' ? '(empty body)' : JSON.stringify(text.slice(0, 200));
  }
  const flat = JSON.stringify(json).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return flat.length > 2000 ? `${flat.slice(0, 2000)}…` : flat;
}
