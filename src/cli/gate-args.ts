import { parseArgs } from 'node:util';
import { CHANGE_TYPES, isChangeType } from '../policies/domain/gate-matrix';
import { GateRequest, GateRequestBody } from './gate-client';

/**
 * `slo-engine gate` command line: the usage text, the environment variables and `parseGateArgs`,
 * which turns the arguments and environment into a request (or a usage problem) without any call.
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

export type Env = Record<string, string | undefined>;

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
