import { outcomeForStatus, parseRetryAfter, scrubReason, transportFailure, urlSecrets } from './delivery-outcome';

describe('delivery outcomes', () => {
  it.each<[number, string]>([
    [200, 'delivered'],
    [202, 'delivered'],
    [204, 'delivered'],
    [301, 'retry'],
    [307, 'retry'],
    [308, 'retry'],
    [400, 'failed'],
    [403, 'failed'],
    [404, 'failed'],
    [410, 'failed'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
  ])('HTTP %i is %s', (status, outcome) => {
    expect(outcomeForStatus(status).outcome).toBe(outcome);
  });

  it('keeps the receiver’s words, without secrets', () => {
    expect(outcomeForStatus(400, { detail: 'bad key SECRETKEY at https://x.example/a', secrets: ['SECRETKEY'] })).toEqual({
      outcome: 'failed',
      reason: 'HTTP 400: bad key … at …',
    });
  });

  it.each<[string | null | undefined, number | undefined]>([
    ['3', 3_000],
    [' 120 ', 120_000],
    ['1.5', 1_500],
    ['0', 0],
    ['Sat, 21 Nov 2026 10:01:00 GMT', 60_000],
    ['Sat, 21 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('Retry-After %p is %p ms', (header, ms) => {
    expect(parseRetryAfter(header, Date.parse('2026-11-21T10:00:00Z'))).toBe(ms);
  });

  it('names a redirect as not followed, without its Location', () => {
    expect(outcomeForStatus(307, { retryAfter: '3', detail: 'moved to https://elsewhere.example/x' })).toEqual({ outcome: 'retry', reason: 'HTTP 307: redirect not followed' });
  });

  it('cuts a long reason without splitting an emoji', () => {
    for (const pad of [298, 299]) {
      const reason = scrubReason(`${'x'.repeat(pad)}${'😀'.repeat(10)}`);
      expect(reason.length).toBeLessThanOrEqual(300);
      expect(reason.endsWith('…')).toBe(true);
      expect(() => encodeURIComponent(reason)).not.toThrow();
    }
  });

  it('puts Retry-After on retries only', () => {
    expect(outcomeForStatus(429, { retryAfter: '3' })).toEqual({ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 3_000 });
    expect(outcomeForStatus(503, { retryAfter: '3' })).toEqual({ outcome: 'retry', reason: 'HTTP 503', retryAfterMs: 3_000 });
    expect(outcomeForStatus(400, { retryAfter: '3' })).toEqual({ outcome: 'failed', reason: 'HTTP 400' });
  });

  it('names transport errors by code, timeouts as timeout', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }) });
    expect(transportFailure(refused)).toEqual({ outcome: 'retry', reason: 'ECONNREFUSED' });
    expect(transportFailure(Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ECONNABORTED' }))).toEqual({ outcome: 'retry', reason: 'timeout' });
    expect(transportFailure({ name: 'TimeoutError', message: 'The operation was aborted due to timeout' })).toEqual({ outcome: 'retry', reason: 'timeout' });
    expect(transportFailure(new TypeError('fetch failed', { cause: new Error('bad port') }))).toEqual({ outcome: 'retry', reason: 'fetch failed: bad port' });
    expect(transportFailure(new Error('Failed to parse URL from hooks/SECRET'), urlSecrets('hooks/SECRET'))).toEqual({
      outcome: 'retry',
      reason: 'Failed to parse URL from …',
    });
  });

  it('scrubs URLs, the webhook path and long text', () => {
    const url = 'https://hooks.slack.com/services/T1/B2/XYZ';
    expect(urlSecrets(url)).toEqual([url, '/services/T1/B2/XYZ']);
    expect(scrubReason(`posting to ${url} failed; path /services/T1/B2/XYZ`, urlSecrets(url))).toBe('posting to … failed; path …');
    expect(scrubReason('x'.repeat(1_000))).toHaveLength(300);
    expect(scrubReason('  ')).toBe('unknown error');
  });
});
