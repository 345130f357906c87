import { SloSchema } from '../config.schema';
import { convertOpenSloDocuments } from './convert';
import { convertYaml, problemPaths, sloYaml } from '../../../test/fixtures/openslo/helpers';

/** The SPEC §3 mapping table, row by row, on one OpenSLO SLO document. */
describe('OpenSLO SLO → native SLO', () => {
  it('maps name, service, description, objective, the default window and the SLI', () => {
    const result = convertYaml(sloYaml({ spec: '  description: Web requests succeed\n' }));
    expect(result.problems).toEqual([]);
    expect(result.slos).toHaveLength(1);
    expect(result.slos[0].value).toEqual({
      id: 'web-availability',
      service: 'web',
      description: 'Web requests succeed',
      objective: 99.9,
      window: '30d',
      sli: {
        source: 'prometheus',
        goodQuery: 'sum(increase(http_requests_total{code!~"5.."}[{{window}}]))',
        totalQuery: 'sum(increase(http_requests_total[{{window}}]))',
      },
    });
    expect(SloSchema.safeParse(result.slos[0].value).success).toBe(true);
  });

  it.each([
    ['0.999', 99.9],
    ['0.95', 95],
    ['"0.99"', 99],
    ['0.99999', 99.999],
  ])('reads target %s as the objective %p percent', (target, objective) => {
    const result = convertYaml(sloYaml().replace('target: 0.999', `target: ${target}`));
    expect(result.slos[0]?.value.objective).toBe(objective);
  });

  it('reads targetPercent', () => {
    const result = convertYaml(sloYaml().replace('target: 0.999', 'targetPercent: 99.95'));
    expect(result.slos[0]?.value.objective).toBe(99.95);
  });

  it.each([
    ['28d', '28d'],
    ['1w', '7d'],
    ['2w', '14d'],
    ['36h', '1d12h'],
    ['90m', '1h30m'],
  ])('reads the rolling window %s as %s', (duration, window) => {
    const result = convertYaml(sloYaml({ spec: `  timeWindow:\n    - duration: ${duration}\n      isRolling: true\n` }));
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.window).toBe(window);
  });

  it.each([
    ['1w', 'week'],
    ['1M', 'month'],
    ['1Q', 'quarter'],
  ])('reads the calendar %s as a %s in its time zone', (duration, calendar) => {
    const result = convertYaml(
      sloYaml({ spec: `  timeWindow:\n    - duration: ${duration}\n      isRolling: false\n      calendar: { startTime: "2024-01-01 00:00:00", timeZone: Europe/Paris }\n` }),
    );
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.window).toEqual({ calendar, timeZone: 'Europe/Paris' });
    expect(result.warnings).toEqual([]);
  });

  it('defaults the calendar time zone to UTC', () => {
    const result = convertYaml(sloYaml({ spec: '  timeWindow:\n    - { duration: 1M, isRolling: false }\n' }));
    expect(result.slos[0].value.window).toEqual({ calendar: 'month', timeZone: 'UTC' });
  });

  it.each([
    ['1w', '2024-01-02 00:00:00'], // a Tuesday
    ['1M', '2022-01-01 12:00:00'],
    ['1Q', '2024-02-01 00:00:00'],
  ])('warns that a %s startTime off the calendar boundary (%s) only gives its time zone', (duration, startTime) => {
    const result = convertYaml(
      sloYaml({ spec: `  timeWindow:\n    - duration: ${duration}\n      isRolling: false\n      calendar: { startTime: "${startTime}", timeZone: America/New_York }\n` }),
    );
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^file0\.yaml: spec\.timeWindow\[0\]\.calendar\.startTime: startTime .* is not at the start of a (week|month|quarter): .* in America\/New_York/),
    ]);
  });

  it('accepts budgetingMethod Occurrences (any case) and refuses the time-slice methods naming it', () => {
    expect(convertYaml(sloYaml({ spec: '  budgetingMethod: occurrences\n' })).problems).toEqual([]);
    for (const method of ['Timeslices', 'RatioTimeslices']) {
      const result = convertYaml(sloYaml({ spec: `  budgetingMethod: ${method}\n` }));
      expect(result.slos).toEqual([]);
      expect(result.problems).toEqual([{ file: 'file0.yaml', path: 'spec.budgetingMethod', message: expect.stringContaining(`${method} is not supported`) }]);
    }
  });

  it('maps bad + total to errorQuery, and reads promql (Nobl9) and Prometheus-compatible types in any case', () => {
    const yaml = sloYaml()
      .replace('good:', 'bad:')
      .replace(/type: Prometheus/g, 'type: victoriaMetrics')
      .replace(/query: sum/g, 'promql: sum');
    const result = convertYaml(yaml);
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.sli).toEqual({
      source: 'prometheus',
      errorQuery: 'sum(increase(http_requests_total{code!~"5.."}[{{window}}]))',
      totalQuery: 'sum(increase(http_requests_total[{{window}}]))',
    });
  });

  it.each(['Prometheus', 'thanos', 'MIMIR', 'Cortex', 'VictoriaMetrics'])('accepts the metric source type %s', (type) => {
    expect(convertYaml(sloYaml().replace(/type: Prometheus/g, `type: ${type}`)).problems).toEqual([]);
  });

  it('wraps a bare counter selector and says so', () => {
    const result = convertYaml(sloYaml().replace('sum(increase(http_requests_total[{{.window}}]))', 'http_requests_total{job="web"}'));
    expect(result.slos[0].value.sli.totalQuery).toBe('sum(increase(http_requests_total{job="web"}[{{window}}]))');
    expect(result.warnings).toEqual([
      'file0.yaml: spec.indicator.spec.ratioMetric.total.metricSource.spec.query: the query has no window placeholder: read as the counter sum(increase(http_requests_total{job="web"}[{{window}}]))',
    ]);
  });

  describe('refusals, each naming its field', () => {
    const refused = (yaml: string): string[] => {
      const result = convertYaml(yaml);
      expect(result.slos).toEqual([]);
      for (const problem of result.problems) expect(problem.message).not.toMatch(/^unknown key/);
      return problemPaths(result);
    };

    it.each([
      ['a metric source that is not Prometheus-compatible', sloYaml().replace(/type: Prometheus/g, 'type: Datadog'), [
        'spec.indicator.spec.ratioMetric.good.metricSource.type',
        'spec.indicator.spec.ratioMetric.total.metricSource.type',
      ]],
      ['ratioMetric.raw', sloYaml().replace('counter: true', 'raw: { metricSource: { type: Prometheus, spec: { query: x } } }'), ['spec.indicator.spec.ratioMetric.raw']],
      ['thresholdMetric', sloYaml().replace('ratioMetric:', 'thresholdMetric:'), ['spec.indicator.spec.thresholdMetric']],
      ['dimensions', sloYaml().replace('query: sum(increase(http_requests_total[{{.window}}]))', 'query: x_total\n              dimensions: [a]'), [
        'spec.indicator.spec.ratioMetric.total.metricSource.spec.dimensions',
      ]],
      ['two objectives', sloYaml().replace('    - target: 0.999', '    - target: 0.999\n    - target: 0.99'), ['spec.objectives']],
      ['a composite objective', sloYaml().replace('    - target: 0.999', '    - target: 0.999\n      indicatorRef: other'), ['spec.objectives[0].indicatorRef']],
      ['a target of 1', sloYaml().replace('target: 0.999', 'target: 1'), ['spec.objectives[0].target']],
      ['a target in percent', sloYaml().replace('target: 0.999', 'target: 99.9'), ['spec.objectives[0].target']],
      ['target and targetPercent', sloYaml().replace('target: 0.999', 'target: 0.999\n      targetPercent: 99.9'), ['spec.objectives[0].targetPercent']],
      ['no objective', sloYaml().replace('    - target: 0.999', '    []').replace('objectives:\n', 'objectives:'), ['spec.objectives']],
      ['a rolling month', sloYaml({ spec: '  timeWindow:\n    - { duration: 1M, isRolling: true }\n' }), ['spec.timeWindow[0].duration']],
      ['a rolling window longer than 400d', sloYaml({ spec: '  timeWindow:\n    - { duration: 60w, isRolling: true }\n' }), ['spec.timeWindow[0].duration']],
      ['a calendar day', sloYaml({ spec: '  timeWindow:\n    - { duration: 1d, isRolling: false, calendar: { timeZone: UTC } }\n' }), ['spec.timeWindow[0].duration']],
      ['a calendar minute (1m, not 1M)', sloYaml({ spec: '  timeWindow:\n    - { duration: 1m, isRolling: false, calendar: { timeZone: UTC } }\n' }), ['spec.timeWindow[0].duration']],
      ['an unknown time zone', sloYaml({ spec: '  timeWindow:\n    - { duration: 1M, isRolling: false, calendar: { timeZone: Mars/Olympus } }\n' }), ['spec.timeWindow[0].calendar.timeZone']],
      ['two time windows', sloYaml({ spec: '  timeWindow:\n    - { duration: 28d, isRolling: true }\n    - { duration: 7d, isRolling: true }\n' }), ['spec.timeWindow']],
      ['a name that cannot be an id', sloYaml({ name: 'Web_Availability' }), ['metadata.name']],
      ['no service', sloYaml().replace('  service: web\n', ''), ['spec.service']],
      ['indicator and indicatorRef', sloYaml({ spec: '  indicatorRef: other\n' }), ['spec.indicatorRef']],
      ['good and bad', sloYaml().replace('        total:', '        bad: { metricSource: { type: Prometheus, spec: { query: x } } }\n        total:'), [
        'spec.indicator.spec.ratioMetric.bad',
      ]],
      ['query and promql', sloYaml().replace('query: sum(increase(http_requests_total[{{.window}}]))', 'query: x\n              promql: y'), [
        'spec.indicator.spec.ratioMetric.total.metricSource.spec.promql',
      ]],
      ['a query that cannot be wrapped', sloYaml().replace('sum(increase(http_requests_total[{{.window}}]))', 'sum(rate(http_requests_total[5m]))'), [
        'spec.indicator.spec.ratioMetric.total.metricSource.spec.query',
      ]],
    ])('%s', (_, yaml, paths) => {
      expect(refused(yaml)).toEqual(paths);
    });

    it('every problem at once, one per problem', () => {
      const yaml = sloYaml({ name: 'Bad_Name', spec: '  budgetingMethod: Timeslices\n  timeWindow:\n    - { duration: 1Y, isRolling: true }\n' })
        .replace(/type: Prometheus/g, 'type: Datadog')
        .replace('target: 0.999', 'target: 2');
      expect(refused(yaml)).toEqual([
        'metadata.name',
        'spec.budgetingMethod',
        'spec.indicator.spec.ratioMetric.good.metricSource.type',
        'spec.indicator.spec.ratioMetric.total.metricSource.type',
        'spec.objectives[0].target',
        'spec.timeWindow[0].duration',
      ]);
    });

    it.each([
      ['openslo/v1alpha', 'apiVersion'],
      ['openslo.com/v1', 'apiVersion'],
      ['OpenSLO/v1', 'apiVersion'],
    ])('apiVersion %s, naming apiVersion', (apiVersion, path) => {
      const result = convertYaml(sloYaml().replace('apiVersion: openslo/v1', `apiVersion: ${apiVersion}`));
      expect(result.problems).toEqual([{ file: 'file0.yaml', path, message: expect.stringContaining('only OpenSLO v1 documents') }]);
    });

    it('an unknown kind, naming kind', () => {
      const result = convertYaml(sloYaml().replace('kind: SLO', 'kind: ServiceLevelObjective'));
      expect(result.problems).toEqual([{ file: 'file0.yaml', path: 'kind', message: expect.stringContaining('must be one of SLO, SLI') }]);
    });
  });

  describe('never a crash', () => {
    const shapes: unknown[] = [null, 1, 'x', true, [], {}, [null], [1, 'x'], { a: null }, { __proto__: null }, { constructor: 1 }];
    const skeleton = {
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: 'x' },
      spec: {
        service: 's',
        indicator: { spec: { ratioMetric: { good: { metricSource: { type: 'Prometheus', spec: { query: 'a' } } }, total: {} } } },
        objectives: [{ target: 0.9 }],
        timeWindow: [{ duration: '1M', isRolling: false, calendar: { timeZone: 'UTC', startTime: 'x' } }],
        alertPolicies: [{ kind: 'AlertPolicy', spec: { conditions: [{ spec: { condition: { kind: 'burnrate' } } }], notificationTargets: [{}] } }],
      },
    };
    /** Every path of the skeleton, each replaced by every shape. */
    const variants = (): unknown[] => {
      const out: unknown[] = [];
      const paths: Array<Array<string | number>> = [];
      const walk = (node: unknown, at: Array<string | number>): void => {
        paths.push(at);
        if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...at, i]));
        else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
      };
      walk(skeleton, []);
      for (const path of paths.slice(1)) {
        for (const shape of shapes) {
          const copy = structuredClone(skeleton) as Record<string, unknown>;
          let node: Record<string | number, unknown> = copy;
          for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
          node[path[path.length - 1]] = shape;
          out.push(copy);
        }
      }
      return out;
    };

    it('on any shape at any place of an SLO and the documents it uses', () => {
      for (const value of variants()) {
        const docs = [
          { file: 'f.yaml', path: '[0]', value: value as Record<string, unknown> },
          { file: 'f.yaml', path: '[1]', value: { apiVersion: 'openslo/v1', kind: 'AlertPolicy', metadata: { name: 'p' }, spec: value } },
          { file: 'f.yaml', path: '[2]', value: { apiVersion: 'openslo/v1', kind: 'DataSource', metadata: { name: 'd' }, spec: value } },
        ];
        const result = convertOpenSloDocuments(docs);
        for (const problem of result.problems) {
          expect(problem.file).toBe('f.yaml');
          expect(problem.message.length).toBeGreaterThan(0);
          expect(problem.message).not.toMatch(/unknown key|undefined|\[object Object\]/);
        }
      }
    });
  });
});
