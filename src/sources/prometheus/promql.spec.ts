import fc from 'fast-check';
import { queryValue, rangeValues, windowCounts, windowQueries, windowQuery } from './promql';

const vector = (...values: string[]) => ({ status: 'success', data: { resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [1, v] })) } });

describe('windowQuery / windowQueries', () => {
  it('replaces every {{window}} with the window as written', () => {
    expect(windowQuery('sum(increase(a[{{window}}])) / sum(increase(b[{{window}}]))', '30d')).toBe('sum(increase(a[30d])) / sum(increase(b[30d]))');
    expect(windowQuery('up', '5m')).toBe('up');
  });

  it('builds good-or-error and total queries of a window', () => {
    expect(windowQueries({ source: 'prometheus', goodQuery: 'g[{{window}}]', totalQuery: 't[{{window}}]' }, '1h')).toEqual({ good: 'g[1h]', total: 't[1h]' });
    expect(windowQueries({ source: 'prometheus', errorQuery: 'e[{{window}}]', totalQuery: 't[{{window}}]' }, '5m')).toEqual({ error: 'e[5m]', total: 't[5m]' });
  });
});

describe('queryValue', () => {
  it.each([
    ['one sample', vector('12.5'), 12.5],
    ['a vector summed (a query without sum())', vector('1', '2', '3.5'), 6.5],
    ['an empty vector: no events', vector(), 0],
    ['NaN (a ratio over nothing)', vector('NaN'), 0],
    ['+Inf', vector('+Inf'), 0],
    ['a scalar', { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } }, 42],
  ])('%s', (_name, body, expected) => {
    expect(queryValue(body)).toBe(expected);
  });

  it.each([
    ['an error answer', { status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }, /bad_data: parse error at char 5/],
    ['a range vector', { status: 'success', data: { resultType: 'matrix', result: [] } }, /matrix result, expected a vector or scalar/],
    ['not JSON data', null, /query failed/],
  ])('refuses %s', (_name, body, message) => {
    expect(() => queryValue(body)).toThrow(message);
  });
});

describe('windowCounts', () => {
  it('takes good directly, or total minus errors, clamped to [0, total]', () => {
    expect(windowCounts({ good: 990, total: 1000 })).toEqual({ good: 990, total: 1000 });
    expect(windowCounts({ error: 10, total: 1000 })).toEqual({ good: 990, total: 1000 });
    expect(windowCounts({ good: 1000.4, total: 1000 })).toEqual({ good: 1000, total: 1000 }); // increase() extrapolation
    expect(windowCounts({ error: 1200, total: 1000 })).toEqual({ good: 0, total: 1000 });
    expect(windowCounts({ good: 5, total: -1 })).toEqual({ good: 0, total: 0 });
  });

  it('property: 0 ≤ good ≤ total whatever Prometheus answers', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -1e12, max: 1e12 }), fc.double({ noNaN: true, min: -1e12, max: 1e12 }), fc.boolean(), (a, total, isGood) => {
        const counts = windowCounts(isGood ? { good: a, total } : { error: a, total });
        expect(counts.good).toBeGreaterThanOrEqual(0);
        expect(counts.good).toBeLessThanOrEqual(counts.total);
      }),
    );
  });
});

describe('rangeValues (query_range answers, for the incidents search)', () => {
  it('sums the series instant by instant; an instant no series has is absent; NaN counts as 0', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { code: '200' }, values: [[1000, '5'], [1010, '6'], [1020, 'NaN']] },
          { metric: { code: '500' }, values: [[1010, '1'], [1030.5, '2']] },
        ],
      },
    };
    expect([...rangeValues(body)]).toEqual([
      [1_000_000, 5],
      [1_010_000, 7],
      [1_020_000, 0],
      [1_030_500, 2],
    ]);
  });

  it('refuses an error answer or a vector, naming what came back', () => {
    expect(() => rangeValues({ status: 'error', errorType: 'bad_data', error: 'parse error' })).toThrow('query failed: bad_data: parse error');
    expect(() => rangeValues({ status: 'success', data: { resultType: 'vector', result: [] } })).toThrow('a vector result, expected a matrix');
  });
});
