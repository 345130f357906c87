import { spawn } from 'node:child_process';
import { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port';

/**
 * `slo-engine gate` as a process (SPEC §10) against a loopback engine started here:
 * exit 0 allow, 1 deny, 2 the engine could not answer, 3 the request was refused or bad usage.
 */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const TOKEN = 'tok-gate-3f9a1c7e5b';
const ENV_TOKEN = 'tok-env-8d2e6b0a41';

interface Recorded {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** A loopback engine: records every request and answers with the handler the test sets. */
class FakeEngine {
  readonly requests: Recorded[] = [];
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => json(res, 500, {});
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
        this.handler(req, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  answer(status: number, body: unknown): void {
    this.handler = (_req, res) => json(res, status, body);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' }).end(text);
}

const ALLOW = {
  decision: 'allow',
  service: 'checkout',
  zone: 'caution',
  changeType: 'feature',
  reasons: ['checkout-availability: 41% of the error budget left (caution zone)'],
  warnings: ['caution zone: extra review required for risky changes'],
  slos: [{ slo: 'checkout-availability', zone: 'caution', remaining: 0.41 }],
  decisionId: '5f0c2a9e-7b1d-4c3e-9a55-0d1f2e3a4b5c',
  evaluatedAt: '2026-11-21T10:00:00.000Z',
};

const DENY = {
  ...ALLOW,
  decision: 'deny',
  zone: 'freeze',
  reasons: ['budget 18% remaining (checkout-availability): freeze zone; feature changes are blocked until it recovers above 25%'],
  warnings: [],
  slos: [{ slo: 'checkout-availability', zone: 'freeze', remaining: 0.18 }],
  decisionId: '9a1b',
};

function errorBody(statusCode: number, error: string, message: string, details: { path: string; message: string }[] = []) {
  return { statusCode, error, message, details };
}

describe('slo-engine gate', () => {
  const engine = new FakeEngine();
  beforeEach(() => engine.start());
  afterEach(() => engine.stop());
  afterEach(() => (engine.requests.length = 0));

  const gate = (...extra: string[]) => ['gate', '--url', engine.url, '--service', 'checkout', ...extra];

  function expectNoToken(run: Run, ...tokens: string[]) {
    for (const token of tokens) {
      expect(run.stdout).not.toContain(token);
      expect(run.stderr).not.toContain(token);
    }
  }

  it('allow → exit 0; POSTs the SPEC §7 body with the --token as a Bearer header and prints the decision', async () => {
    engine.answer(200, ALLOW);
    const run = await runCli(
      gate('--change-type', 'feature', '--version', '1.4.2', '--environment', 'prod', '--requested-by', 'ci', '--token', TOKEN),
      { SLO_ENGINE_TOKEN: ENV_TOKEN },
    );

    expect(run.code).toBe(0);
    expect(engine.requests).toHaveLength(1);
    const [request] = engine.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/deploy-gate');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(request.body)).toEqual({
      service: 'checkout',
      changeType: 'feature',
      version: '1.4.2',
      environment: 'prod',
      requestedBy: 'ci',
    });
    expect(run.stdout).toBe(
      [
        'slo-engine gate: ALLOW checkout feature (zone caution)',
        '  - checkout-availability: 41% of the error budget left (caution zone)',
        '  warning: caution zone: extra review required for risky changes',
        '  decision 5f0c2a9e-7b1d-4c3e-9a55-0d1f2e3a4b5c at 2026-11-21T10:00:00.000Z',
        '',
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expectNoToken(run, TOKEN, ENV_TOKEN);
  });

  it('deny → exit 1 with the reasons; the token comes from SLO_ENGINE_TOKEN; optional fields are left out', async () => {
    engine.answer(200, DENY);
    const run = await runCli(['gate', '--url', `${engine.url}/`, '--service', 'checkout'], { SLO_ENGINE_TOKEN: ENV_TOKEN });

    expect(run.code).toBe(1);
    const [request] = engine.requests;
    expect(request.url).toBe('/v1/deploy-gate');
    expect(request.headers.authorization).toBe(`Bearer ${ENV_TOKEN}`);
    expect(JSON.parse(request.body)).toEqual({ service: 'checkout', changeType: 'feature' });
    expect(run.stdout).toMatch(/^slo-engine gate: DENY checkout feature \(zone freeze\)$/m);
    expect(run.stdout).toContain(`  - ${DENY.reasons[0]}\n`);
    expect(run.stdout).toContain('  decision 9a1b at 2026-11-21T10:00:00.000Z');
    expectNoToken(run, ENV_TOKEN);
  });

  it('sends no Authorization header without a token, and keeps a base path in --url', async () => {
    engine.answer(200, { ...ALLOW, changeType: 'rollback' });
    const run = await runCli(['gate', '--url', `${engine.url}/slo-engine//`, '--service', 'checkout', '--change-type', 'rollback']);

    expect(run.code).toBe(0);
    const [request] = engine.requests;
    expect(request.url).toBe('/slo-engine/v1/deploy-gate');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({ service: 'checkout', changeType: 'rollback' });
  });

  it('a deny stays exit 1 with --fail-open', async () => {
    engine.answer(200, DENY);
    const run = await runCli(gate('--fail-open'));
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('failing open');
  });

  it('404 unknown service → exit 3 printing the API message', async () => {
    engine.answer(404, errorBody(404, 'Not Found', 'unknown service "nope"'));
    const run = await runCli(['gate', '--url', engine.url, '--service', 'nope', '--token', TOKEN, '--fail-open']);

    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^slo-engine gate: request refused \(HTTP 404 Not Found\): unknown service "nope"$/m);
    expect(run.stderr).not.toContain('failing open');
    expectNoToken(run, TOKEN);
  });

  it('400 → exit 3 listing each details[].path: message', async () => {
    engine.answer(
      400,
      errorBody(400, 'Bad Request', 'invalid deploy-gate request', [
        { path: 'version', message: 'must be at most 200 characters' },
        { path: 'requestedBy', message: 'must be a string' },
      ]),
    );
    const run = await runCli(gate());

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('invalid deploy-gate request\n  - version: must be at most 200 characters\n  - requestedBy: must be a string\n');
  });

  it('401 → exit 3; the token is never printed, even when the server echoes it', async () => {
    engine.answer(401, errorBody(401, 'Unauthorized', `unknown token ${TOKEN}`));
    const run = await runCli(gate('--token', TOKEN));

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/request refused \(HTTP 401 Unauthorized\): unknown token \[redacted\]/);
    expect(run.stderr).toMatch(/hint: the engine does not know the token/);
    expectNoToken(run, TOKEN);
  });

  it('403 → exit 3', async () => {
    engine.answer(403, errorBody(403, 'Forbidden', 'token "ci-read" lacks the gate scope'));
    const run = await runCli(gate(), { SLO_ENGINE_TOKEN: ENV_TOKEN });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('request refused (HTTP 403 Forbidden): token "ci-read" lacks the gate scope');
    expectNoToken(run, ENV_TOKEN);
  });

  it('500 → exit 2; with --fail-open → exit 0 and a warning on stderr', async () => {
    engine.answer(500, errorBody(500, 'Internal Server Error', 'internal error'));
    const plain = await runCli(gate('--token', TOKEN));
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^slo-engine gate: engine unavailable: HTTP 500 Internal Server Error: internal error$/m);
    expect(plain.stderr).not.toContain('failing open');

    const open = await runCli(gate('--token', TOKEN, '--fail-open'));
    expect(open.code).toBe(0);
    expect(open.stdout).toBe('');
    expect(open.stderr).toMatch(/engine unavailable: HTTP 500/);
    expect(open.stderr).toMatch(/^slo-engine gate: warning: engine unavailable, failing open/m);
    expectNoToken(plain, TOKEN);
    expectNoToken(open, TOKEN);
  });

  it('503 (state unreadable) → exit 2', async () => {
    engine.answer(503, errorBody(503, 'Service Unavailable', 'state unavailable'));
    const run = await runCli(gate());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HTTP 503 Service Unavailable: state unavailable');
  });

  it('a 200 whose body is not a decision → exit 2', async () => {
    engine.answer(200, '<html><body>corporate proxy login</body></html>');
    const html = await runCli(gate());
    expect(html.code).toBe(2);
    expect(html.stderr).toMatch(/engine unavailable: HTTP 200 OK but the body is not a gate decision/);

    engine.answer(200, { status: 'ok' });
    expect((await runCli(gate())).code).toBe(2);
    expect((await runCli(gate('--fail-open'))).code).toBe(0);
  });

  it('a server that never answers → exit 2 after the timeout (SLO_ENGINE_GATE_TIMEOUT_MS)', async () => {
    engine.handler = () => undefined; // hold the request open
    const run = await runCli(gate('--token', TOKEN), { SLO_ENGINE_GATE_TIMEOUT_MS: '500' });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/engine unavailable: could not reach http:\/\/127\.0\.0\.1:\d+\/v1\/deploy-gate: no answer within 500 ms/);
    expect(run.ms).toBeGreaterThanOrEqual(500);
    expect(run.ms).toBeLessThan(8000);
    expect(engine.requests).toHaveLength(1);
    expectNoToken(run, TOKEN);
  });

  it('a closed port (connection refused) → exit 2; with --fail-open → 0', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['gate', '--url', closed, '--service', 'checkout', '--token', TOKEN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/engine unavailable: could not reach .*: connection refused/);
    expectNoToken(run, TOKEN);

    const open = await runCli(['gate', '--url', closed, '--service', 'checkout', '--fail-open']);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('engine unavailable, failing open');
  });

  it('a host that does not resolve → exit 2', async () => {
    const run = await runCli(['gate', '--url', 'http://slo-engine.invalid', '--service', 'checkout'], {
      SLO_ENGINE_GATE_TIMEOUT_MS: '5000',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/engine unavailable: could not reach http:\/\/slo-engine\.invalid\/v1\/deploy-gate: /);
  });

  it.each([
    ['no --url', ['gate', '--service', 'checkout'], /missing --url/],
    ['no --service', ['gate', '--url', 'http://127.0.0.1:9'], /missing --service/],
    ['an unknown change type', ['gate', '--url', 'http://127.0.0.1:9', '--service', 'c', '--change-type', 'hotfix'], /unknown --change-type "hotfix"/],
    ['an unknown flag', ['gate', '--url', 'http://127.0.0.1:9', '--service', 'c', '--force'], /Unknown option '--force'/],
    ['a URL that is not one', ['gate', '--url', 'engine', '--service', 'c'], /not an absolute URL/],
  ])('bad usage (%s) → exit 3 with the usage text, no request', async (_name, args, problem) => {
    const run = await runCli([...args, '--token', TOKEN]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(problem);
    expect(run.stderr).toContain('usage: slo-engine gate --url URL --service NAME');
    expect(run.stderr).toMatch(/3 {2}the request was refused: .*also bad usage/s);
    expect(engine.requests).toHaveLength(0);
    expectNoToken(run, TOKEN);
  });

  it('gate --help prints the options and exit codes (exit 0); slo-engine --help lists both commands', async () => {
    const help = await runCli(['gate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fail-open');
    expect(help.stdout).toContain('SLO_ENGINE_GATE_TIMEOUT_MS  for tests only');

    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^ {2}slo-engine gate --url URL --service NAME/m);
    expect(top.stdout).toMatch(/^ {2}slo-engine validate FILE_OR_DIR/m);
  });
});
