import { convertQuery, isSelector } from './queries';

describe('OpenSLO queries → native PromQL', () => {
  it.each([
    ['sum(rate(x_total[{{.window}}]))', 'sum(rate(x_total[{{window}}]))'],
    ['sum(increase(x_total[{{ .window }}])) / 2', 'sum(increase(x_total[{{window}}])) / 2'],
    ['sum(increase(x_total[{{window}}]))', 'sum(increase(x_total[{{window}}]))'],
    ['  sum(increase(x_total[{{.window}}]))\n', 'sum(increase(x_total[{{window}}]))'],
  ])('replaces the Go-template placeholder: %p', (query, expected) => {
    expect(convertQuery(query)).toEqual({ ok: true, query: expected, wrapped: false });
  });

  it.each([
    ['http_requests_total{code="200"}', 'sum(increase(http_requests_total{code="200"}[{{window}}]))'],
    ['http_requests_total', 'sum(increase(http_requests_total[{{window}}]))'],
    ['http_requests_total{}', 'sum(increase(http_requests_total{}[{{window}}]))'],
    ['sum(http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"})', 'sum(increase(http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}[{{window}}]))'],
    ['sum( job:requests:count{a!="b", c!~\'d,}\'} )', 'sum(increase(job:requests:count{a!="b", c!~\'d,}\'}[{{window}}]))'],
    ['{__name__="requests_total", job="api"}', 'sum(increase({__name__="requests_total", job="api"}[{{window}}]))'],
  ])('wraps a bare counter selector: %p', (query, expected) => {
    expect(convertQuery(query)).toEqual({ ok: true, query: expected, wrapped: true });
    expect(convertQuery(query, true)).toEqual({ ok: true, query: expected, wrapped: true });
  });

  it.each([
    'sum(rate(x_total[5m]))',
    'sum(min_over_time(kafka_consumergroup_lag{k8s_cluster="prod"}[2m]))',
    'sum by (code) (x_total)',
    'x_total / y_total',
    'x_total{code="200"',
    'x_total{code=200}',
    '{}',
    'sum:trace.http.request.hits.by_http_status{*}.as_count()',
    '_sourceCategory=tsat-batcher | where msg="DriftGen query completed"',
    'sum(x_total[{{.range}}])',
  ])('refuses what it cannot wrap, quoting it: %p', (query) => {
    const result = convertQuery(query);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/placeholder/);
  });

  it('refuses to wrap a metric that ratioMetric.counter says is not a counter', () => {
    const result = convertQuery('queue_depth{queue="main"}', false);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('counter is false') });
    expect(convertQuery('sum(increase(x[{{.window}}]))', false)).toMatchObject({ ok: true });
  });

  it('refuses an empty query', () => {
    expect(convertQuery('  \n')).toEqual({ ok: false, reason: 'is empty' });
  });

  it('reads selectors, quotes and escapes included', () => {
    expect(isSelector('a{b="c\\"d", e=~`f"g`}')).toBe(true);
    expect(isSelector('a{b="c",}')).toBe(true);
    expect(isSelector('a{b="c" e="f"}')).toBe(false);
    expect(isSelector('rate(a[5m])')).toBe(false);
    expect(isSelector('')).toBe(false);
  });
});
