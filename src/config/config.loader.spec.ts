import * as path from 'node:path';
import { ConfigError } from './app-config';
import { BUNDLED_CONFIG_PATH, loadConfig } from './config.loader';
import { FIXTURES, problemsOf, removeTempDirs, sloYaml, tempDir, tempFile } from '../../test/fixtures/config/helpers';

afterAll(removeTempDirs);

describe('loadConfig: the bundled example', () => {
  it('loads with an empty environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.files).toEqual([BUNDLED_CONFIG_PATH]);
    expect(config.slos.length).toBeGreaterThanOrEqual(5);
    expect(config.slos.every((slo) => slo.sli.source === 'events')).toBe(true);
    expect(new Set(config.slos.map((slo) => slo.service))).toEqual(new Set(['checkout', 'search', 'payments-api']));
    expect(new Set(config.slos.map((slo) => slo.window))).toEqual(new Set(['30d', '28d', '7d']));
    expect(config.auth.publicRead).toBe(true);
    expect(config.auth.tokens.map((t) => [t.name, t.scopes])).toEqual([
      ['ci', ['read', 'gate']],
      ['ingest', ['ingest']],
      ['sre', ['read', 'gate', 'ingest', 'admin']],
    ]);
    expect(config.notifiers).toEqual({ log: { name: 'log', type: 'log' } });
    expect(config.routes.map((r) => r.match.severity)).toEqual(['page', 'ticket']);
    expect(config.policy).toEqual({
      zones: { caution: 0.5, freeze: 0.25 },
      onUnknown: 'deny',
      onNoData: 'unknown',
      postmortems: { budgetThreshold: 0.2, inFreeze: true, due: '48h', gate: false },
    });
  });

  it('warns that development tokens are in use, naming the tokens but not their values', () => {
    const config = loadConfig({ env: {} });
    const warning = config.warnings.find((w) => w.includes('development tokens'));
    expect(warning).toContain('ci, ingest, sre');
    for (const token of config.auth.tokens) expect(config.warnings.join('\n')).not.toContain(token.token);
  });

  it('takes tokens from the environment, without the development warning', () => {
    const config = loadConfig({ env: { CI_TOKEN: 'c'.repeat(32), INGEST_TOKEN: 'i'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32) } });
    expect(config.auth.tokens.map((t) => t.token)).toEqual(['c'.repeat(32), 'i'.repeat(32), 'a'.repeat(32)]);
    expect(config.warnings.join('\n')).not.toContain('development tokens');
  });

  it('has one SLO with its own rules of both severities and minEvents', () => {
    const custom = loadConfig({ env: {} }).slos.filter((slo) => !slo.alerting.defaultRules);
    expect(custom).toHaveLength(1);
    expect(custom[0].alerting.minEvents).toBeGreaterThan(0);
    expect(new Set(custom[0].alerting.rules.map((r) => r.severity))).toEqual(new Set(['page', 'ticket']));
    expect(custom[0].alerting.rules[0]).toMatchObject({ long: '1h', longMs: 3_600_000, short: '5m', shortMs: 300_000 });
  });

  it('resolves the example relative to the package root', () => {
    expect(BUNDLED_CONFIG_PATH).toBe(path.resolve(__dirname, '..', '..', 'config', 'example.yaml'));
  });
});

describe('loadConfig: defaults and normalisation', () => {
  it('applies the defaults of a minimal file', () => {
    const file = tempFile(`slos:\n${sloYaml('web-availability')}`);
    const config = loadConfig({ path: file, env: {} });
    expect(config.server).toEqual({
      port: 8080,
      host: '0.0.0.0',
      redisPrefix: 'slo:',
      evaluationInterval: '30s',
      evaluationIntervalMs: 30_000,
      logLevel: 'info',
      corsOrigins: [],
      externalUrl: 'http://localhost:8080',
    });
    expect(config.policy).toEqual({
      zones: { caution: 0.5, freeze: 0.25 },
      onUnknown: 'deny',
      onNoData: 'unknown',
      postmortems: { budgetThreshold: 0.2, inFreeze: true, due: '48h', gate: false },
    });
    expect(config.auth).toEqual({ publicRead: false, tokens: [] });
    expect(config.sources).toEqual({});
    expect(config.heartbeat).toBeUndefined();
    expect(config.warnings).toContain('no auth tokens configured: gate, ingest and admin endpoints answer 401');
    const [slo] = config.slos;
    expect(slo).toMatchObject({ window: '30d', windowMs: 30 * 86_400_000, labels: {}, file });
    expect(slo.alerting.defaultRules).toBe(true);
    expect(slo.alerting.minEvents).toBe(0);
    expect(slo.alerting.rules.map((r) => `${r.severity} ${r.burnRate} ${r.long}/${r.short}`)).toEqual([
      'page 14.4 1h/5m',
      'page 6 6h/30m',
      'ticket 3 1d/2h',
      'ticket 1 3d/6h',
    ]);
  });

  it('normalises sources, heartbeat, notifiers and routes', () => {
    const file = tempFile(`
slos:
  - id: search-latency
    service: search
    objective: 99.5
    window: 28d
    sli:
      source: prometheus
      goodQuery: sum(increase(good[{{window}}]))
      totalQuery: sum(increase(total[{{window}}]))
    labels: { tier: 1 }
sources:
  prometheus: { url: "http://127.0.0.1:9090", headers: { Authorization: "Bearer \${PROM_TOKEN:-}" } }
heartbeat: { url: "https://hc.example/ping/abc" }
notifiers:
  pd: { type: pagerduty, routingKey: "\${PD_ROUTING_KEY}" }
  slack: { type: slack, webhookUrl: "https://hooks.slack.example/T/B/X" }
routes:
  - { match: { tier: 1 }, notify: [pd, slack, pd], repeatInterval: 4h }
`);
    const config = loadConfig({ path: file, env: { PD_ROUTING_KEY: 'R'.repeat(32) } });
    expect(config.sources.prometheus).toEqual({
      url: 'http://127.0.0.1:9090',
      timeoutMs: 10_000,
      concurrency: 16,
      headers: { Authorization: 'Bearer ' },
    });
    expect(config.heartbeat).toEqual({ url: 'https://hc.example/ping/abc', interval: '1m', intervalMs: 60_000 });
    expect(config.notifiers.pd).toEqual({ name: 'pd', type: 'pagerduty', routingKey: 'R'.repeat(32), changeEvents: false });
    expect(config.routes).toEqual([{ match: { tier: '1' }, notify: ['pd', 'slack'], repeatInterval: '4h', repeatIntervalMs: 14_400_000 }]);
    expect(config.slos[0].labels).toEqual({ tier: '1' });
    expect(config.slos[0].sli).toMatchObject({ source: 'prometheus', totalQuery: 'sum(increase(total[{{window}}]))' });
  });

  it('leaves out default rules longer than the SLO window, with a warning', () => {
    const file = tempFile(`slos:\n${sloYaml('short-window', '    window: 1h\n')}\n${sloYaml('two-days', '    window: 2d\n')}`);
    const config = loadConfig({ path: file, env: {} });
    expect(config.slos[0].alerting.rules.map((r) => r.long)).toEqual(['1h']);
    expect(config.slos[1].alerting.rules.map((r) => r.long)).toEqual(['1h', '6h', '1d']);
    expect(config.warnings).toContain(
      'slos[0] (short-window): default rule page 6x 6h/30m left out: its long window exceeds the 1h SLO window',
    );
    expect(config.warnings).toContain(
      'slos[1] (two-days): default rule ticket 1x 3d/6h left out: its long window exceeds the 2d SLO window',
    );
  });

  it('warns about an SLO window shorter than the evaluation interval and queries without {{window}}', () => {
    const file = tempFile(`
slos:
${sloYaml('tiny', '    window: 10s\n    alerting: { rules: [] }\n')}
  - id: no-placeholder
    service: web
    objective: 99
    sli: { source: prometheus, errorQuery: "sum(errors)", totalQuery: "sum(increase(total[{{window}}]))" }
sources: { prometheus: { url: "http://prom:9090" } }
`);
    const warnings = loadConfig({ path: file, env: {} }).warnings;
    expect(warnings).toContain('slos[0] (tiny): its 10s window is shorter than the 30s evaluation interval');
    expect(warnings.some((w) => w.startsWith('slos[1] (no-placeholder): sli.errorQuery has no {{window}}'))).toBe(true);
  });
});

describe('loadConfig: YAML details', () => {
  it('merges several documents of one file and accepts empty sections', () => {
    const file = tempFile(`---\nslos:\n${sloYaml('a')}server:\n  # port: 1234\n---\nslos:\n${sloYaml('b')}\n---\n`);
    const config = loadConfig({ path: file, env: {} });
    expect(config.slos.map((s) => s.id)).toEqual(['a', 'b']);
    expect(config.server.port).toBe(8080);
  });

  it('reports problems of a multi-document file with the document index', () => {
    const file = tempFile(`slos:\n${sloYaml('a')}---\nslos:\n${sloYaml('b', '    window: month\n')}`);
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'documents[1].slos[0].window', message: expect.stringContaining('invalid duration') },
    ]);
  });

  it('fills numbers and booleans from environment references', () => {
    const file = tempFile(`slos:\n${sloYaml('a')}server: { port: "\${APP_PORT}" }\nauth: { publicRead: "\${PUBLIC:-true}" }\n`);
    const config = loadConfig({ path: file, env: { APP_PORT: '9999' } });
    expect(config.server.port).toBe(9999);
    expect(config.auth.publicRead).toBe(true);
  });

  it('reports malformed environment references', () => {
    const file = tempFile(`slos:\n${sloYaml('a', '    description: "\${not valid}"\n')}`);
    expect(problemsOf({ path: file, env: {} })).toEqual([
      expect.objectContaining({ path: 'slos[0].description', message: expect.stringContaining('malformed environment reference') }),
    ]);
  });
});

describe('loadConfig: environment precedence (SPEC §2)', () => {
  const file = (): string =>
    tempFile(`slos:\n${sloYaml('a')}server:\n  port: 9000\n  host: 127.0.0.1\n  redisUrl: redis://file:6379\n  redisPrefix: \"file:\"\n  evaluationInterval: 1m\n  logLevel: debug\n`);

  it('uses the server: section when the environment is silent', () => {
    expect(loadConfig({ path: file(), env: {} }).server).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      redisUrl: 'redis://file:6379',
      redisPrefix: 'file:',
      evaluationInterval: '1m',
      evaluationIntervalMs: 60_000,
      logLevel: 'debug',
    });
  });

  it('lets the environment win over server:', () => {
    const env = {
      PORT: '3000',
      HOST: '::',
      REDIS_URL: 'redis://env:6380',
      REDIS_PREFIX: 'test-1:',
      EVALUATION_INTERVAL: '5s',
      LOG_LEVEL: 'warn',
      EXTERNAL_URL: 'https://slo.example/',
      CONFIG_FILE: '/does/not/matter.yaml',
    };
    expect(loadConfig({ path: file(), env }).server).toMatchObject({
      port: 3000,
      host: '::',
      redisUrl: 'redis://env:6380',
      redisPrefix: 'test-1:',
      evaluationInterval: '5s',
      evaluationIntervalMs: 5_000,
      logLevel: 'warn',
      externalUrl: 'https://slo.example', // trailing slash dropped: links append their path
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ path: file(), env: { PORT: '', LOG_LEVEL: '' } }).server).toMatchObject({ port: 9000, logLevel: 'debug' });
  });
});

describe('loadConfig: directories', () => {
  it('reads only *.yaml / *.yml files, sorted by name, and merges them', () => {
    const dir = path.join(FIXTURES, 'dir-valid');
    const config = loadConfig({ path: dir, env: { CI_TOKEN: 'x'.repeat(20) } });
    expect(config.files).toEqual(['10-slos.yaml', '20-notify.yml', '30-more.yaml'].map((f) => path.join(dir, f)));
    expect(config.slos.map((s) => s.id)).toEqual(['api-availability', 'api-latency']);
    expect(config.slos[1].labels).toEqual({ tier: '1', public: 'true' });
    expect(Object.keys(config.notifiers)).toEqual(['ops-log', 'team-log']);
    expect(config.routes.map((r) => r.notify)).toEqual([['ops-log', 'team-log'], ['team-log']]);
    expect(config.slos[0].file).toBe(path.join(dir, '10-slos.yaml'));
  });

  it('reports a directory without config files', () => {
    const dir = tempDir({ 'readme.md': '# nothing' });
    expect(problemsOf({ path: dir, env: {} })).toEqual([{ file: dir, path: '', message: 'no *.yaml or *.yml files in this directory' }]);
  });

  it('reports a path that does not exist', () => {
    expect(problemsOf({ path: '/no/such/config.yaml', env: {} })).toEqual([
      { file: '/no/such/config.yaml', path: '', message: 'cannot read: no such file or directory' },
    ]);
  });

  it('throws a ConfigError whose message has one line per problem', () => {
    const dir = path.join(FIXTURES, 'dir-duplicate');
    expect(() => loadConfig({ path: dir, env: {} })).toThrow(ConfigError);
  });
});
