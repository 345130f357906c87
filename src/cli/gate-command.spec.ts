import { parseGateArgs } from './gate-args';
import { GateOutcome, outcomeOf } from './gate-client';
import { exitCodeFor, formatOutcome, redact } from './gate-command';

const allow: GateOutcome = { kind: 'decision', decision: { decision: 'allow', reasons: ['ok'], warnings: [] } };
const deny: GateOutcome = { kind: 'decision', decision: { decision: 'deny', reasons: ['no'], warnings: [] } };
const refused: GateOutcome = { kind: 'refused', status: 404, statusText: 'Not Found', message: 'unknown service', details: [] };
const unavailable: GateOutcome = { kind: 'unavailable', reason: 'HTTP 503' };
const usage: GateOutcome = { kind: 'usage', problem: 'missing --url' };

describe('exitCodeFor (SPEC §10)', () => {
  it.each([
    ['allow', allow, 0, 0],
    ['deny', deny, 1, 1],
    ['unavailable', unavailable, 2, 0],
    ['refused', refused, 3, 3],
    ['usage', usage, 3, 3],
  ])('%s → %i, with --fail-open %i', (_name, outcome, plain, failOpen) => {
    expect(exitCodeFor(outcome)).toBe(plain);
    expect(exitCodeFor(outcome, true)).toBe(failOpen);
  });
});

describe('outcomeOf', () => {
  const decision = JSON.stringify({ decision: 'deny', service: 's', zone: 'freeze', reasons: ['r'], warnings: ['w'], decisionId: 'd' });

  it.each([
    [200, decision, 'decision'],
    [201, decision, 'decision'],
    [200, '{"ok":true}', 'unavailable'],
    [200, '<html>proxy</html>', 'unavailable'],
    [204, '', 'unavailable'],
    [200, '{"decision":"maybe","reasons":[]}', 'unavailable'],
    [200, '{"decision":"allow","reasons":"ok"}', 'unavailable'],
    [301, '', 'unavailable'],
    [400, '{"message":"bad","details":[{"path":"service","message":"required"}]}', 'refused'],
    [401, '', 'refused'],
    [404, 'not json', 'refused'],
    [429, '{}', 'refused'],
    [500, '{"message":"internal error"}', 'unavailable'],
    [503, decision, 'unavailable'],
  ])('HTTP %i %s → %s', (status, body, kind) => {
    expect(outcomeOf(status, '', null, body).kind).toBe(kind);
  });

  it('keeps the API message and details of a 4xx, each on one line', () => {
    const outcome = outcomeOf(400, 'Bad Request', null, '{"message":"bad\\ninput","details":[{"path":"changeType","message":"unknown"}]}');
    expect(outcome).toEqual({
      kind: 'refused',
      status: 400,
      statusText: 'Bad Request',
      message: 'bad input',
      details: [{ path: 'changeType', message: 'unknown' }],
    });
  });

  it('strips control characters from server text (no forged CI log lines)', () => {
    const outcome = outcomeOf(200, 'OK', null, JSON.stringify({ decision: 'allow', reasons: ['a\n::add-mask::x\r'], warnings: [] }));
    expect(formatOutcome(outcome, undefined).stdout).toEqual(['slo-engine gate: ALLOW ? ?', '  - a ::add-mask::x']);
  });
});

describe('parseGateArgs', () => {
  const base = ['--url', 'http://engine.test:8080/', '--service', 'checkout'];

  it('builds the request: trailing slash dropped, changeType feature by default, --token over the env', () => {
    const parsed = parseGateArgs([...base, '--token', 'flag-token', '--version', '1.2.3'], { SLO_ENGINE_TOKEN: 'env-token' });
    expect(parsed).toEqual({
      request: {
        endpoint: 'http://engine.test:8080/v1/deploy-gate',
        body: { service: 'checkout', changeType: 'feature', version: '1.2.3' },
        token: 'flag-token',
        failOpen: false,
        timeoutMs: 10_000,
      },
    });
  });

  it('keeps a base path and reads the token and the test timeout from the env', () => {
    const parsed = parseGateArgs(['--url', 'https://h/slo//', '--service', 's', '--fail-open'], {
      SLO_ENGINE_TOKEN: 'env-token',
      SLO_ENGINE_GATE_TIMEOUT_MS: '250',
    });
    expect(parsed).toMatchObject({ request: { endpoint: 'https://h/slo/v1/deploy-gate', token: 'env-token', failOpen: true, timeoutMs: 250 } });
  });

  it.each([
    [[], /missing --url/],
    [['--url', 'http://h'], /missing --service/],
    [[...base, '--change-type', 'hotfix'], /unknown --change-type "hotfix"/],
    [[...base, '--colour'], /Unknown option '--colour'/],
    [[...base, 'extra'], /Unexpected argument 'extra'/],
    [[...base, '--token'], /--token/],
    [[...base, '--service', ''], /--service must not be empty/],
    [['--url', 'engine:8080', '--service', 's'], /must be http or https/],
    [['--url', 'not a url', '--service', 's'], /not an absolute URL/],
    [['--url', 'http://u:p@h', '--service', 's'], /must not carry credentials/],
    [['--url', 'http://h/?x=1', '--service', 's'], /without query/],
    [[...base, '--token', 'has space'], /characters a header cannot carry/],
  ])('%j is a usage problem', (args, problem) => {
    const parsed = parseGateArgs(args, {});
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });

  it('refuses a bad test timeout', () => {
    expect(parseGateArgs(base, { SLO_ENGINE_GATE_TIMEOUT_MS: '-5' })).toEqual({
      problem: 'SLO_ENGINE_GATE_TIMEOUT_MS must be a positive number of milliseconds',
    });
  });
});

describe('redact', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redact('a s3cret b s3cret', ['s3cret'])).toBe('a [redacted] b [redacted]');
  });
});
