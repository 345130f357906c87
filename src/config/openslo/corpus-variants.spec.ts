import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfigWithExplanations } from '../config.loader';

/** The OpenSLO corpus (see corpus.spec.ts); absent in a plain clone: skipped. */
const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'external', 'openslo');
const describeCorpus = fs.existsSync(CORPUS) ? describe : describe.skip;

/** parsed YAML of a corpus file, edited freely by the tests */
type Docs = Array<Record<string, any>>;

/**
 * No corpus SLO imports as it is (each has something SPEC §3 refuses). Removing that one thing
 * shows the rest of each real file maps as the table says.
 */
describeCorpus('corpus SLOs with their one refused feature removed', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The corpus file's documents, edited, written beside a native Prometheus source, loaded. */
  const load = (name: string, edit: (docs: Docs) => unknown) => {
    const docs = parse(fs.readFileSync(path.join(CORPUS, name), 'utf8')) as Docs;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openslo-corpus-'));
    made.push(dir);
    fs.writeFileSync(path.join(dir, name), stringify(edit(docs)));
    fs.writeFileSync(path.join(dir, 'native.yaml'), 'sources:\n  prometheus:\n    url: http://127.0.0.1:9090\n');
    return { ...loadConfigWithExplanations({ path: dir, env: {} }), file: path.join(dir, name) };
  };

  it('05 without dimensions: its bare selectors are wrapped as counters', () => {
    const { config, file } = load('05-gosdk-decode-v1-slos.yaml', (docs) => {
      for (const part of ['good', 'total']) delete docs[0].spec.indicator.spec.ratioMetric[part].metricSource.spec.dimensions;
      return docs;
    });
    expect(config.slos).toHaveLength(1);
    expect(config.slos[0]).toMatchObject({
      id: 'foo-slo',
      service: 'foo',
      objective: 98,
      window: '30d',
      sli: { source: 'prometheus', goodQuery: 'sum(increase(http_requests_total{status_code="200"}[{{window}}]))', totalQuery: 'sum(increase(http_requests_total{}[{{window}}]))' },
      alerting: { defaultRules: true },
    });
    expect(config.warnings.filter((w) => w.startsWith(file))).toEqual([
      `${file}: [0].spec.indicator.spec.ratioMetric.good.metricSource.spec.query: the query has no window placeholder: read as the counter sum(increase(http_requests_total{status_code="200"}[{{window}}]))`,
      `${file}: [0].spec.indicator.spec.ratioMetric.total.metricSource.spec.query: the query has no window placeholder: read as the counter sum(increase(http_requests_total{}[{{window}}]))`,
    ]);
  });

  it('15 with Occurrences: a calendar week in America/New_York, sum(selector) queries wrapped', () => {
    const { config, explanations, file } = load('15-oslo-validate-v1.yaml', (docs) => {
      docs[0].spec.budgetingMethod = 'Occurrences';
      return docs;
    });
    expect(config.slos[0]).toMatchObject({
      id: 'web-availability',
      service: 'web',
      description: 'X% of search requests are successful',
      objective: 99.5,
      window: 'week',
      calendar: { unit: 'week', timeZone: 'America/New_York' },
      sli: {
        goodQuery: 'sum(increase(http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}[{{window}}]))',
        totalQuery: 'sum(increase(http_requests{k8s_cluster="prod",component="web"}[{{window}}]))',
      },
    });
    const own = config.warnings.filter((w) => w.startsWith(file));
    expect(own).toContainEqual(expect.stringContaining('[0].spec.timeWindow[0].calendar.startTime: startTime 2022-01-01 12:00:00 is not at the start of a week'));
    expect(own).toContainEqual(expect.stringContaining('keys not used by the engine: [0].spec.objectives[0].op, [0].spec.objectives[0].timeSliceTarget, [0].spec.objectives[0].timeSliceWindow'));
    expect(explanations[0].ignored.map((k) => k.path)).toContain('[0].metadata.labels');
  });

  it('17 (first SLO) without its dangling policy: promql of type prometheus', () => {
    const { config } = load('17-nobl9-v1-slos.yaml', (docs) => {
      delete docs[0].spec.alertPolicies;
      return [docs[0]];
    });
    expect(config.slos[0]).toMatchObject({
      id: 'web-availability',
      service: 'web',
      objective: 95,
      calendar: { unit: 'week', timeZone: 'America/New_York' },
      sli: {
        goodQuery: 'sum(increase(http_request_duration_seconds_bucket{handler="/api/v1/slos",le="2.5"}[{{window}}]))',
        totalQuery: 'sum(increase(http_request_duration_seconds_count{handler="/api/v1/slos"}[{{window}}]))',
      },
    });
  });

  it('13 (my-slo-2) with Occurrences, a ratio SLI and a gt condition: the policies become rules', () => {
    const { config } = load('13-gosdk-inline-v1-slo.yaml', (docs) => {
      docs[1].spec.budgetingMethod = 'Occurrences';
      docs[2].spec = { ratioMetric: { good: { metricSource: { type: 'Prometheus', spec: { query: 'ok_total' } } }, total: { metricSource: { type: 'Prometheus', spec: { query: 'all_total' } } } } };
      docs[3].spec.condition.op = 'gt';
      return docs.slice(1);
    });
    expect(config.slos[0]).toMatchObject({ id: 'my-slo-2', objective: 99.5, calendar: { unit: 'week', timeZone: 'America/New_York' } });
    expect(config.slos[0].alerting.rules.map((r) => [r.severity, r.burnRate, r.long, r.short])).toEqual([['page', 2, '1h', '5m']]);
  });
});
