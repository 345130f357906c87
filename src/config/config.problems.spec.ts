import * as path from 'node:path';
import { ConfigError, type ConfigProblem } from './app-config';
import { loadConfig } from './config.loader';
import { formatPath } from './config.problems';
import { FIXTURES, problemsOf, removeTempDirs, sloYaml, tempDir, tempFile } from '../../test/fixtures/config/helpers';

afterAll(removeTempDirs);

const fixture = (name: string): string => path.join(FIXTURES, name);
const paths = (problems: ConfigProblem[]): string[] => problems.map((p) => p.path);
const only = (text: string, env: Record<string, string | undefined> = {}): ConfigProblem => {
  const file = tempFile(text);
  const problems = problemsOf({ path: file, env });
  expect(problems).toHaveLength(1);
  expect(problems[0].file).toBe(file);
  return problems[0];
};

describe('config problems name the file, the path and what is wrong', () => {
  it.each([
    [100, 'must be less than 100 (percent)'],
    [0, 'must be greater than 0 (percent)'],
    [-1, 'must be greater than 0 (percent)'],
    ['high', 'must be a number, not a string'],
  ])('objective %p', (objective, message) => {
    const problem = only(`slos:\n${sloYaml('a')}\n  - id: b\n    service: web\n    objective: ${objective}\n    sli: { source: events }\n`);
    expect(problem).toMatchObject({ path: 'slos[1].objective', message });
  });

  it.each([
    ['top level', 'colour: blue\n', 'colour'],
    ['slo', `slos:\n${sloYaml('a', '    colour: blue\n')}`, 'slos[0].colour'],
    ['sli', 'slos:\n  - { id: a, service: web, objective: 99, sli: { source: events, query: x } }\n', 'slos[0].sli.query'],
    ['alerting rule', `slos:\n${sloYaml('a', '    alerting: { rules: [{ severity: page, burnRate: 2, long: 1h, short: 5m, for: 1m }] }\n')}`, 'slos[0].alerting.rules[0].for'],
    ['notifier', 'notifiers:\n  x: { type: log, level: info }\n', 'notifiers.x.level'],
    ['route', 'notifiers: { x: { type: log } }\nroutes: [{ notify: [x], continue: true }]\n', 'routes[0].continue'],
    ['policy zones', 'policy: { zones: { warn: 0.7 } }\n', 'policy.zones.warn'],
    ['token', 'auth: { tokens: [{ name: a, token: b, scopes: [read], expires: 1d }] }\n', 'auth.tokens[0].expires'],
    ['server redis', 'server: { redis: { sentinel: { sentinels: [{ host: h, port: 1, tls: true }], name: m } } }\n', 'server.redis.sentinel.sentinels[0].tls'],
    ['sources', 'sources: { graphite: {} }\n', 'sources.graphite'],
  ])('unknown key (%s)', (_where, text, at) => {
    expect(only(text)).toMatchObject({ path: at, message: expect.stringContaining('unknown key') });
  });

  it('a duplicate SLO id across two files of a directory names both places', () => {
    const dir = fixture('dir-duplicate');
    const problems = problemsOf({ path: dir, env: {} });
    expect(problems).toEqual([
      {
        file: path.join(dir, 'b.yaml'),
        path: 'slos[1].id',
        message: `duplicate SLO id "web-availability": also defined in ${path.join(dir, 'a.yaml')} slos[0].id`,
      },
    ]);
  });

  it('a notifier defined twice, and a section defined in two files', () => {
    const dir = tempDir({
      'a.yaml': 'notifiers: { log: { type: log } }\npolicy: {}\n',
      'b.yaml': 'notifiers: { log: { type: log } }\npolicy: { onUnknown: allow }\n',
    });
    const problems = problemsOf({ path: dir, env: {} });
    expect(problems).toEqual([
      { file: path.join(dir, 'b.yaml'), path: 'policy', message: expect.stringContaining(`already defined in ${path.join(dir, 'a.yaml')} policy`) },
      { file: path.join(dir, 'b.yaml'), path: 'notifiers.log', message: expect.stringContaining('already defined') },
    ]);
  });

  it('a route naming a missing notifier', () => {
    expect(only('notifiers: { log: { type: log } }\nroutes:\n  - notify: [log, pagerduty]\n')).toMatchObject({
      path: 'routes[0].notify[1]',
      message: 'notifier "pagerduty" is not defined',
    });
  });

  it('a configured rule window longer than the SLO window', () => {
    const rules = '    window: 7d\n    alerting: { rules: [{ severity: ticket, burnRate: 1, long: 14d, short: 1d }] }\n';
    expect(only(`slos:\n${sloYaml('a', rules)}`)).toMatchObject({
      path: 'slos[0].alerting.rules[0].long',
      message: 'the 14d long window is longer than the 7d SLO window',
    });
  });

  it('a short window not shorter than the long one', () => {
    const rules = '    alerting: { rules: [{ severity: page, burnRate: 2, long: 1h, short: 1h }] }\n';
    expect(only(`slos:\n${sloYaml('a', rules)}`).path).toBe('slos[0].alerting.rules[0].short');
  });

  it.each(['30 days', '1x', '0s', '-5m', '10'])('a bad duration: %p', (window) => {
    expect(only(`slos:\n${sloYaml('a', `    window: "${window}"\n`)}`)).toMatchObject({
      path: 'slos[0].window',
      message: expect.stringMatching(/invalid duration/),
    });
  });

  it('a missing environment variable without default', () => {
    const problem = only('notifiers:\n  pd-payments: { type: pagerduty, routingKey: "${PD_ROUTING_KEY}" }\n');
    expect(problem).toMatchObject({ path: 'notifiers.pd-payments.routingKey', message: 'environment variable PD_ROUTING_KEY is not set' });
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['EVALUATION_INTERVAL', 'often'],
    ['LOG_LEVEL', 'verbose'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['EXTERNAL_URL', 'ftp://slo.example'],
    ['EXTERNAL_URL', 'slo.example'],
  ])('a bad environment value %s=%p', (name, value) => {
    const file = tempFile(`slos:\n${sloYaml('a')}`);
    expect(problemsOf({ path: file, env: { [name]: value } })).toEqual([
      { file: '(environment)', path: `env.${name}`, message: expect.any(String) },
    ]);
  });

  it('an OpenSLO document: the fields it lacks, named in its document', () => {
    const file = fixture('openslo.yaml');
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'documents[1].spec.indicator', message: expect.stringContaining('is required') },
      { file, path: 'documents[1].spec.objectives', message: expect.stringContaining('is required') },
    ]);
    const other = tempFile('apiVersion: openslo/v1alpha\nkind: Service\nmetadata: { name: checkout }\n');
    expect(problemsOf({ path: other, env: {} })[0]).toMatchObject({ path: 'apiVersion', message: expect.stringContaining('not supported') });
  });

  it('a YAML syntax error, with its line and column', () => {
    const file = fixture('syntax-error.yaml');
    const problems = problemsOf({ path: file, env: {} });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const problem of problems) {
      expect(problem.file).toBe(file);
      expect(problem.message).toMatch(/^YAML syntax error: .*line \d+, column \d+/);
      expect(problem.message).not.toContain('\n');
    }
  });

  it('duplicate keys are a YAML error', () => {
    expect(only('policy: {}\npolicy: {}\n').message).toMatch(/unique.*line 2/);
  });

  it('an empty file', () => {
    const file = fixture('empty.yaml');
    expect(problemsOf({ path: file, env: {} })).toEqual([{ file, path: '', message: 'the file is empty' }]);
  });

  it.each([
    ['id', `slos:\n  - { id: Web_1, service: web, objective: 99, sli: { source: events } }\n`, 'slos[0].id'],
    ['source', `slos:\n  - { id: a, service: web, objective: 99, sli: { source: graphite } }\n`, 'slos[0].sli.source'],
    ['both queries', `slos:\n  - { id: a, service: web, objective: 99, sli: { source: prometheus, errorQuery: e, goodQuery: g, totalQuery: t } }\nsources: { prometheus: { url: "http://p" } }\n`, 'slos[0].sli.errorQuery'],
    ['no prometheus source', `slos:\n  - { id: a, service: web, objective: 99, sli: { source: prometheus, errorQuery: e, totalQuery: t } }\n`, 'slos[0].sli.source'],
    ['label not scalar', `slos:\n${sloYaml('a', '    labels: { tier: [1] }\n')}`, 'slos[0].labels.tier'],
    ['reserved label', `slos:\n${sloYaml('a', '    labels: { team: x }\n')}`, 'slos[0].labels.team'],
    ['runbook', `slos:\n${sloYaml('a', '    runbook: wiki/checkout\n')}`, 'slos[0].runbook'],
    ['zones', 'policy: { zones: { caution: 0.2, freeze: 0.3 } }\n', 'policy.zones.freeze'],
    ['onUnknown', 'policy: { onUnknown: maybe }\n', 'policy.onUnknown'],
    ['postmortem threshold', 'policy: { postmortems: { budgetThreshold: 1.5 } }\n', 'policy.postmortems.budgetThreshold'],
    ['postmortem due', 'policy: { postmortems: { due: soon } }\n', 'policy.postmortems.due'],
    ['postmortem key', 'policy: { postmortems: { gates: true } }\n', 'policy.postmortems.gates'],
    ['scope', 'auth: { tokens: [{ name: a, token: b, scopes: [write] }] }\n', 'auth.tokens[0].scopes[0]'],
    ['no scopes', 'auth: { tokens: [{ name: a, token: b, scopes: [] }] }\n', 'auth.tokens[0].scopes'],
    ['token names', 'auth: { tokens: [{ name: a, token: b, scopes: [read] }, { name: a, token: c, scopes: [read] }] }\n', 'auth.tokens[1].name'],
    ['concurrency', 'sources: { prometheus: { url: "http://p", concurrency: 0 } }\n', 'sources.prometheus.concurrency'],
    ['prometheus url', 'sources: { prometheus: { url: "ftp://p" } }\n', 'sources.prometheus.url'],
    ['notifier type', 'notifiers: { x: { type: email } }\n', 'notifiers.x.type'],
    ['route severity', 'notifiers: { x: { type: log } }\nroutes: [{ match: { severity: critical }, notify: [x] }]\n', 'routes[0].match.severity'],
    ['empty notify', 'routes: [{ match: {}, notify: [] }]\n', 'routes[0].notify'],
    ['sentinel and cluster', 'server: { redis: { sentinel: { sentinels: [{ host: h, port: 1 }], name: m }, cluster: { nodes: [{ host: h, port: 1 }] } } }\n', 'server.redis.cluster'],
    ['log level', 'server: { logLevel: loud }\n', 'server.logLevel'],
    ['slos not a list', 'slos: { id: a }\n', 'slos'],
    ['not a mapping', '- a\n- b\n', ''],
  ])('%s', (_what, text, at) => {
    expect(only(text).path).toBe(at);
  });
});

describe('several problems', () => {
  it('are all reported at once', () => {
    const file = fixture('many-problems.yaml');
    const problems = problemsOf({ path: file, env: {} });
    expect(problems.every((p) => p.file === file)).toBe(true);
    expect(paths(problems)).toEqual(
      expect.arrayContaining([
        'slos[1].objective',
        'slos[2].objective',
        'slos[3].window',
        'slos[4].sli.extra',
        'slos[4].colour',
        'notifiers.log.level',
        'routes[0].notify[1]',
        'policy.zones.freeze',
        'policy.onUnknown',
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it('come in the ConfigError message, one line each, formatted file: path: message', () => {
    const file = fixture('many-problems.yaml');
    try {
      loadConfig({ path: file, env: {} });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const lines = (err as ConfigError).message.split('\n');
      expect(lines).toHaveLength(9);
      expect(lines).toContain(`${file}: slos[1].objective: must be less than 100 (percent)`);
    }
  });
});

describe('secrets', () => {
  const secret = 'S3CRET-routing-key-0123456789abcdef';
  const leaks = (text: string): boolean => text.includes(secret) || text.includes('hooks.slack.example/T0/B0/XYZ');

  it('never appear in problems, even when the secret lands in a bad place', () => {
    const file = tempFile(`
notifiers:
  pd: { type: pagerduty, routingKey: "\${PD_ROUTING_KEY}", changeEvents: "\${PD_ROUTING_KEY}" }
  slack: { type: slack, webhookUrl: "https://hooks.slack.example/T0/B0/XYZ", extra: "\${PD_ROUTING_KEY}" }
  bad: { type: "\${PD_ROUTING_KEY}" }
routes: [{ match: { severity: "\${PD_ROUTING_KEY}" }, notify: [pd] }]
slos:
${sloYaml('a', '    window: "${PD_ROUTING_KEY}"\n')}
server: { logLevel: "\${PD_ROUTING_KEY}", port: "\${PD_ROUTING_KEY}" }
`);
    const env = { PD_ROUTING_KEY: secret, REDIS_URL: `redis://:${secret}@host:6379/x y` };
    const problems = problemsOf({ path: file, env });
    expect(problems.length).toBeGreaterThanOrEqual(6);
    for (const problem of problems) expect(leaks(`${problem.path} ${problem.message}`)).toBe(false);
    try {
      loadConfig({ path: file, env });
    } catch (err) {
      expect(leaks((err as Error).message)).toBe(false);
    }
  });

  it('never appear in warnings', () => {
    const file = tempFile(`
notifiers: { pd: { type: pagerduty, routingKey: "\${PD_ROUTING_KEY}" } }
auth: { tokens: [{ name: ci, token: "\${CI_TOKEN:-${secret}}", scopes: [gate] }] }
slos:
${sloYaml('a', '    window: 1h\n')}
`);
    const config = loadConfig({ path: file, env: { PD_ROUTING_KEY: secret } });
    expect(config.warnings.length).toBeGreaterThan(0);
    expect(config.warnings.join('\n')).not.toContain(secret);
    expect(config.warnings.join('\n')).toContain('development tokens in use: ci');
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and quotes odd keys', () => {
    expect(formatPath(['slos', 2, 'objective'])).toBe('slos[2].objective');
    expect(formatPath(['notifiers', 'pd-payments', 'routingKey'])).toBe('notifiers.pd-payments.routingKey');
    expect(formatPath(['slos', 0, 'labels', 'app.kubernetes.io/name'])).toBe('slos[0].labels["app.kubernetes.io/name"]');
    expect(formatPath([])).toBe('');
  });
});
