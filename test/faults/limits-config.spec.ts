import { join } from 'node:path';
import type { ConfigProblem } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';
import { problemsOf, removeTempDirs, sloYaml, tempDir, tempFile } from '../fixtures/config/helpers';

/**
 * SPEC §3 limits, as config errors naming the file, the path and the allowed range: durations
 * between 1s and 400d; `EVALUATION_INTERVAL` (env or `server.evaluationInterval`) between 1s and
 * 1h; `sources.prometheus.timeout` between 100ms and 5m and shorter than the stall deadline
 * `max(2 × EVALUATION_INTERVAL, 60s)`. Node's timers hold at most ~24.8 days: before these limits
 * `EVALUATION_INTERVAL=25d` ran a cycle every millisecond.
 */
afterAll(removeTempDirs);

const PROMETHEUS_SLO = `  - id: p\n    service: web\n    objective: 99\n    sli: { source: prometheus, errorQuery: 'e[{{window}}]', totalQuery: 't[{{window}}]' }\n`;
const withPrometheus = (prometheus: string, server = ''): string =>
  `slos:\n${PROMETHEUS_SLO}sources:\n  prometheus: { url: "http://127.0.0.1:9090", ${prometheus} }\n${server}`;

const only = (text: string, env: Record<string, string | undefined> = {}): ConfigProblem => {
  const file = tempFile(text);
  const problems = problemsOf({ path: file, env });
  expect(problems).toHaveLength(1);
  expect(problems[0].file).toBe(file);
  return problems[0];
};
const valid = (text: string, env: Record<string, string | undefined> = {}) => loadConfig({ path: tempFile(text), env });

describe('durations in the config are between 1s and 400d', () => {
  it.each([
    ['an SLO window over 400d', sloYaml('a', '    window: 401d\n    alerting: { rules: [] }\n'), 'slos[0].window', '401d'],
    ['an SLO window in years', sloYaml('a', '    window: 2y\n    alerting: { rules: [] }\n'), 'slos[0].window', '2y'],
    ['a sub-second short window', sloYaml('a', '    alerting: { rules: [{ severity: page, burnRate: 2, long: 1h, short: 500ms }] }\n'), 'slos[0].alerting.rules[0].short', '500ms'],
  ])('%s', (_what, slo, path, got) => {
    expect(only(`slos:\n${slo}`)).toEqual({ file: expect.any(String), path, message: `must be between 1s and 400d (got ${got})` });
  });

  it.each([
    ['a route repeat interval', 'notifiers: { log: { type: log } }\nroutes: [{ notify: [log], repeatInterval: 500d }]\n', 'routes[0].repeatInterval'],
    ['a heartbeat interval', 'heartbeat: { url: "https://hc.example/ping", interval: 25000d }\n', 'heartbeat.interval'],
    ['a heartbeat interval under a second', 'heartbeat: { url: "https://hc.example/ping", interval: 999ms }\n', 'heartbeat.interval'],
  ])('%s', (_what, section, path) => {
    expect(only(`slos:\n${sloYaml('a')}${section}`)).toMatchObject({ path, message: expect.stringMatching(/^must be between 1s and 400d \(got \w+\)$/) });
  });

  it('accepts the bounds themselves', () => {
    const config = valid(`slos:\n${sloYaml('a', '    window: 400d\n    alerting: { rules: [{ severity: page, burnRate: 2, long: 1h, short: 1s }] }\n')}`);
    expect(config.slos[0].windowMs).toBe(400 * 86_400_000);
  });
});

describe('EVALUATION_INTERVAL is between 1s and 1h', () => {
  it.each(['25d', '2h', '61m', '500ms'])('server.evaluationInterval: %s', (interval) => {
    expect(only(`slos:\n${sloYaml('a')}server:\n  evaluationInterval: ${interval}\n`)).toMatchObject({
      path: 'server.evaluationInterval',
      message: `must be between 1s and 1h (got ${interval})`,
    });
  });

  it.each(['25d', '2h', '500ms'])('EVALUATION_INTERVAL=%s', (interval) => {
    const file = tempFile(`slos:\n${sloYaml('a')}`);
    expect(problemsOf({ path: file, env: { EVALUATION_INTERVAL: interval } })).toEqual([
      { file: '(environment)', path: 'env.EVALUATION_INTERVAL', message: `must be between 1s and 1h (got ${interval})` },
    ]);
  });

  it.each(['1s', '1h', '60m'])('accepts %s', (interval) => {
    expect(valid(`slos:\n${sloYaml('a')}`, { EVALUATION_INTERVAL: interval }).server.evaluationInterval).toBe(interval);
  });
});

describe('sources.prometheus.timeout is between 100ms and 5m, and shorter than the stall deadline', () => {
  it.each(['50ms', '6m', '25d'])('timeout: %s', (timeout) => {
    expect(only(withPrometheus(`timeout: ${timeout}`))).toMatchObject({
      path: 'sources.prometheus.timeout',
      message: `must be between 100ms and 5m (got ${timeout})`,
    });
  });

  it('a timeout not shorter than max(2 × 30s, 60s) = 60s', () => {
    const problem = only(withPrometheus('timeout: 60s'));
    expect(problem.path).toBe('sources.prometheus.timeout');
    expect(problem.message).toBe('must be shorter than the stall deadline, max(2 × evaluation interval, 60s) = 1m with the 30s evaluation interval (got 60s)');
  });

  it('the stall deadline follows EVALUATION_INTERVAL, from the environment too', () => {
    expect(valid(withPrometheus('timeout: 90s'), { EVALUATION_INTERVAL: '1m' }).sources.prometheus?.timeoutMs).toBe(90_000);
    const problem = only(withPrometheus('timeout: 2m', 'server: { evaluationInterval: 2m }\n'), { EVALUATION_INTERVAL: '1m' });
    expect(problem).toMatchObject({ path: 'sources.prometheus.timeout', message: expect.stringContaining('= 2m with the 1m evaluation interval') });
  });

  it('names the file the sources section is in (a config directory)', () => {
    const dir = tempDir({
      'slos.yaml': `slos:\n${PROMETHEUS_SLO}server: { evaluationInterval: 1m }\n`,
      'sources.yaml': 'sources:\n  prometheus: { url: "http://127.0.0.1:9090", timeout: 3m }\n',
    });
    expect(problemsOf({ path: dir, env: {} })).toEqual([
      { file: join(dir, 'sources.yaml'), path: 'sources.prometheus.timeout', message: expect.stringMatching(/^must be shorter than the stall deadline.* = 2m with the 1m evaluation interval \(got 3m\)$/) },
    ]);
    expect(valid(withPrometheus('timeout: 5m', 'server: { evaluationInterval: 1h }\n')).sources.prometheus?.timeoutMs).toBe(300_000);
  });

  it('accepts 100ms, and the default 10s', () => {
    expect(valid(withPrometheus('timeout: 100ms')).sources.prometheus?.timeoutMs).toBe(100);
    expect(valid(`slos:\n${PROMETHEUS_SLO}sources:\n  prometheus: { url: "http://127.0.0.1:9090" }\n`).sources.prometheus?.timeoutMs).toBe(10_000);
  });
});
