import * as path from 'node:path';
import { loadConfig, loadConfigWithExplanations } from '../config.loader';
import { isOpenSloDocument } from './documents';
import { problemsOf, removeTempDirs, tempDir, tempFile } from '../../../test/fixtures/config/helpers';
import { sloYaml } from '../../../test/fixtures/openslo/helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'openslo');
const fixture = (name: string): string => path.join(FIXTURES, name);
const PROMETHEUS = 'sources:\n  prometheus:\n    url: http://127.0.0.1:9090\n';

afterEach(removeTempDirs);

describe('OpenSLO documents in the config files (loader)', () => {
  it.each([
    ['openslo/v1', true],
    ['openslo/v1alpha', true],
    ['openslo.com/v1', true],
    ['OpenSLO/v1', true],
    ['v1', false],
    ['sloth.slok.dev/v1', false],
  ])('recognises apiVersion %s as OpenSLO: %p', (apiVersion, expected) => {
    expect(isOpenSloDocument({ apiVersion, kind: 'SLO' })).toBe(expected);
  });

  it('imports an SLO whose SLI and alert policy are in other files of the directory', () => {
    const { config, explanations } = loadConfigWithExplanations({ path: fixture('cross-file'), env: {} });
    expect(config.slos).toHaveLength(1);
    expect(config.slos[0]).toMatchObject({
      id: 'checkout-availability',
      service: 'checkout',
      description: 'Checkout requests succeed',
      objective: 99.9,
      window: '28d',
      sli: {
        source: 'prometheus',
        errorQuery: 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[{{window}}]))',
        totalQuery: 'sum(increase(http_requests_total{service="checkout"}[{{window}}]))',
      },
      file: fixture('cross-file/slo.yaml'),
    });
    expect(config.slos[0].alerting.defaultRules).toBe(false);
    expect(config.slos[0].alerting.rules.map((r) => [r.severity, r.burnRate, r.long, r.short])).toEqual([
      ['page', 14.4, '1h', '5m'],
      ['page', 6, '30m', '2m30s'],
      ['ticket', 3, '1d', '2h'],
    ]);
    expect(config.sources.prometheus?.url).toBe('http://prometheus.internal:9090');
    expect(config.warnings).toEqual(
      expect.arrayContaining([
        `${fixture('cross-file/alerts.yaml')}: documents[3]: AlertNotificationTarget "checkout-oncall" ignored: notifications go where the native config's routes send them`,
        expect.stringContaining(`keys not used by the engine: ${fixture('cross-file/alerts.yaml')} documents[1].spec.condition.alertAfter`),
      ]),
    );
    expect(explanations).toHaveLength(1);
    expect(explanations[0].ignored).toEqual(
      expect.arrayContaining([
        { file: fixture('cross-file/slo.yaml'), path: 'metadata.displayName' },
        { file: fixture('cross-file/alerts.yaml'), path: 'documents[1].spec.condition.alertAfter' },
      ]),
    );
  });

  it('imports a calendar month in Europe/Paris, reading Prometheus (Thanos) through a DataSource', () => {
    const config = loadConfig({ path: fixture('calendar-paris.yaml'), env: {} });
    expect(config.slos[0]).toMatchObject({
      id: 'orders-monthly',
      objective: 99.5,
      calendar: { unit: 'month', timeZone: 'Europe/Paris' },
      sli: { source: 'prometheus', goodQuery: 'sum(increase(orders_processed_total{status="ok"}[{{window}}]))' },
    });
    expect(config.slos[0].alerting.rules.map((r) => [r.severity, r.burnRate, r.long, r.short])).toEqual([
      ['page', 10, '30m', '2m30s'],
      ['ticket', 2, '13m', '1m5s'],
    ]);
    expect(config.sources.prometheus?.url).toBe('https://slo-reader:Hunter2-Thanos-Pass@thanos.example.eu');
  });

  it('splits a file whose top level is a list of OpenSLO documents into [i] items', () => {
    const config = loadConfig({ path: fixture('list-file.yaml'), env: {} });
    expect(config.slos.map((s) => [s.id, s.window, s.objective])).toEqual([['search-latency', '7d', 99.5]]);
    expect(config.sources.prometheus?.url).toBe('http://prometheus.example:9090');
    expect(config.warnings).toContainEqual(expect.stringMatching(/list-file\.yaml: \[2\]\.spec\.ratioMetric\.good\.metricSource\.spec\.promql: the query has no window placeholder/));

    const file = tempFile(`- apiVersion: openslo/v1\n  kind: Service\n  metadata: { name: a }\n- slos: []\n- 3\n---\n- apiVersion: openslo/v1\n  kind: Servic\n  metadata: { name: b }\n`);
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'documents[0][1]', message: expect.stringContaining('must be an OpenSLO document') },
      { file, path: 'documents[0][2]', message: expect.stringContaining('must be an OpenSLO document') },
      { file, path: 'documents[1][0].kind', message: expect.stringContaining('must be one of SLO, SLI') },
    ]);
  });

  it('refuses a document stream with paths documents[i]', () => {
    const file = tempFile(`slos: []\n---\n${sloYaml({ spec: '  budgetingMethod: RatioTimeslices\n' })}`);
    expect(problemsOf({ path: file, env: {} })).toEqual([{ file, path: 'documents[1].spec.budgetingMethod', message: expect.stringContaining('RatioTimeslices is not supported') }]);
  });

  it('refuses other apiVersions naming apiVersion, never as unknown native keys', () => {
    const file = tempFile('apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: { name: a }\nspec: { service: s }\n');
    expect(problemsOf({ path: file, env: {} })).toEqual([{ file, path: 'apiVersion', message: expect.stringContaining('"openslo/v1alpha" is not supported') }]);
  });

  describe('the Prometheus source', () => {
    const dataSource = (url: string): string => `apiVersion: openslo/v1\nkind: DataSource\nmetadata: { name: prom }\nspec:\n  type: Prometheus\n  connectionDetails: { url: "${url}" }\n`;

    it('a Prometheus-compatible DataSource serves when the native config has none', () => {
      const dir = tempDir({ 'a.yaml': sloYaml(), 'b.yaml': dataSource('http://prom.example:9090') });
      expect(loadConfig({ path: dir, env: {} }).sources.prometheus).toEqual({ url: 'http://prom.example:9090', timeoutMs: 10_000, concurrency: 16, headers: {} });
      const empty = tempDir({ 'a.yaml': sloYaml(), 'b.yaml': dataSource('http://prom.example:9090'), 'c.yaml': 'sources: {}\n' });
      expect(loadConfig({ path: empty, env: {} }).sources.prometheus?.url).toBe('http://prom.example:9090');
    });

    it('the native source wins; a warning when the URLs differ, none when they are the same', () => {
      const differ = tempDir({ 'a.yaml': sloYaml(), 'b.yaml': dataSource('http://other.example:9090'), 'c.yaml': PROMETHEUS });
      const config = loadConfig({ path: differ, env: {} });
      expect(config.sources.prometheus?.url).toBe('http://127.0.0.1:9090');
      expect(config.warnings).toContainEqual(expect.stringMatching(/b\.yaml: \(root\): DataSource "prom": its URL differs from sources\.prometheus\.url \(.*c\.yaml\), which is the one used$/));
      const same = tempDir({ 'a.yaml': sloYaml(), 'b.yaml': dataSource('http://127.0.0.1:9090/'), 'c.yaml': PROMETHEUS });
      expect(loadConfig({ path: same, env: {} }).warnings.filter((w) => w.includes('DataSource'))).toEqual([]);
    });

    it('none at all: an error at the metric source, saying how to give one', () => {
      const file = tempFile(sloYaml());
      expect(problemsOf({ path: file, env: {} })).toEqual([
        {
          file,
          path: 'spec.indicator.spec.ratioMetric.good.metricSource.type',
          message: expect.stringMatching(/prometheus source is not configured .*add sources\.prometheus to the native config, or a DataSource/),
        },
      ]);
    });
  });

  it('reports native checks at the OpenSLO field: a duplicate id, a rule window longer than the SLO window', () => {
    const dup = tempDir({ 'a.yaml': `${PROMETHEUS}slos:\n  - { id: web-availability, service: s, objective: 99, sli: { source: events } }\n`, 'b.yaml': sloYaml() });
    expect(problemsOf({ path: dup, env: {} })).toEqual([
      { file: path.join(dup, 'b.yaml'), path: 'metadata.name', message: expect.stringContaining('duplicate SLO id "web-availability"') },
    ]);
    const file = fixture('rule-longer-than-window.yaml');
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'documents[0].spec.alertPolicies[0].spec.conditions[0].spec.condition.lookbackWindow', message: expect.stringContaining('the 8d long window is longer than the 7d SLO window') },
      { file, path: 'documents[1].spec.alertPolicies[0].spec.conditions[0].spec.condition.lookbackWindow', message: expect.stringContaining('the 7d long window is longer than the shortest week') },
    ]);
  });

  it('refuses lt/lte conditions and thresholds ≤ 0 (fixture)', () => {
    const file = fixture('bad-conditions.yaml');
    expect(problemsOf({ path: file, env: {} }).map((p) => p.path).sort()).toEqual([
      '[2].spec.conditions[1].spec.condition.op',
      '[2].spec.conditions[2].spec.condition.threshold',
      '[2].spec.conditions[3].spec.condition.threshold',
      '[3].spec.condition.op',
    ]);
  });

  it('dangling references: errors when an SLO reaches them, warnings otherwise (fixtures)', () => {
    const file = fixture('dangling-from-slo.yaml');
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'documents[0].spec.alertPolicies[0].alertPolicyRef', message: 'AlertPolicy "billing-missing-policy" is not defined in any file (dangling reference)' },
      { file, path: 'documents[0].spec.indicatorRef', message: 'SLI "billing-requests" is not defined in any file (dangling reference)' },
      {
        file,
        path: 'documents[1].spec.conditions[0].conditionRef',
        message: 'AlertCondition "billing-missing-condition" is not defined in any file (dangling reference) (used by SLO "billing-availability")',
      },
    ]);
    const unused = fixture('dangling-unused.yaml');
    const config = loadConfig({ path: unused, env: {} });
    expect(config.warnings.filter((w) => w.startsWith(unused))).toEqual([
      `${unused}: documents[0].spec.conditions[0].conditionRef: AlertCondition "nowhere-condition" is not defined in any file (dangling reference) (not used by any SLO, so only a warning)`,
      `${unused}: documents[0].spec.notificationTargets[0].targetRef: AlertNotificationTarget "nowhere-target" is not defined in any file (dangling targetRef; notification targets are not used anyway)`,
      `${unused}: documents[1].spec.ratioMetric.good.metricSource.metricSourceRef: DataSource "nowhere-datasource" is not defined in any file (dangling reference), and metricSource.type is not given (not used by any SLO, so only a warning)`,
    ]);
  });

  it('refuses queries it cannot read as counts (fixture)', () => {
    const file = fixture('queries-refused.yaml');
    expect(problemsOf({ path: file, env: {} })).toEqual([
      { file, path: 'spec.indicator.spec.ratioMetric.good.metricSource.spec.query', message: expect.stringContaining('ratioMetric.counter is false') },
      { file, path: 'spec.indicator.spec.ratioMetric.total.metricSource.spec.query', message: expect.stringContaining('sum(rate(queue_jobs_total') },
    ]);
  });

  it('substitutes ${VAR} in OpenSLO documents like anywhere else', () => {
    const dir = tempDir({ 'a.yaml': sloYaml().replace('service: web', 'service: ${SERVICE_NAME}'), 'b.yaml': PROMETHEUS });
    expect(loadConfig({ path: dir, env: { SERVICE_NAME: 'storefront' } }).slos[0].service).toBe('storefront');
    expect(problemsOf({ path: dir, env: {} })).toEqual([{ file: path.join(dir, 'a.yaml'), path: 'spec.service', message: expect.stringContaining('SERVICE_NAME') }]);
  });
});
