import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { SloConfig } from '../../src/config/app-config';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source';
import { freePort } from '../helpers/free-port';

/**
 * The Prometheus HTTP API client against a loopback stand-in (the behaviour a real Prometheus
 * cannot be made to show on demand: slow answers, 503s, counting queries in flight): headers sent,
 * concurrency bounded, timeouts, error answers — and no header value or URL in any error.
 */
const SECRET = 'prom-secret-token-0123456789';
let server: Server;
let url: string;
let seen: Array<{ query: string; time: string; headers: IncomingHttpHeaders }>;
let answer: (query: string) => { status: number; body: unknown; delayMs?: number };
let inFlight = 0;
let maxInFlight = 0;

beforeEach(async () => {
  seen = [];
  inFlight = 0;
  maxInFlight = 0;
  answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '10'] }] } } });
  const port = await freePort();
  server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const query = params.get('query') ?? '';
    seen.push({ query, time: params.get('time') ?? '', headers: req.headers });
    const { status, body, delayMs = 0 } = answer(query);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function slo(id: string, sli: SloConfig['sli']): SloConfig {
  return {
    id,
    service: 'search',
    objective: 99,
    window: '1d',
    windowMs: 86_400_000,
    sli,
    labels: {},
    alerting: { minEvents: 0, rules: [], defaultRules: false },
    file: 'test.yaml',
  };
}

const GOOD = slo('search-latency', { source: 'prometheus', goodQuery: 'sum(increase(good[{{window}}]))', totalQuery: 'sum(increase(total[{{window}}]))' });
const ERRORS = slo('search-errors', { source: 'prometheus', errorQuery: 'sum(increase(errors[{{window}}]))', totalQuery: 'sum(increase(total[{{window}}]))' });
const NOW = Date.parse('2026-11-21T10:00:00.000Z');

function source(options: { timeoutMs?: number; concurrency?: number } = {}) {
  return new PrometheusSource({ url, timeoutMs: options.timeoutMs ?? 2_000, concurrency: options.concurrency ?? 16, headers: { Authorization: `Bearer ${SECRET}` } });
}

it('asks every window at the evaluation time, with the configured headers', async () => {
  answer = (query) => ({
    status: 200,
    body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, query.startsWith('sum(increase(total') ? '1000' : '990'] }] } },
  });
  expect(await source().counts(GOOD, ['5m', '1d'], NOW)).toEqual({ '5m': { good: 990, total: 1000 }, '1d': { good: 990, total: 1000 } });
  expect(seen.map((s) => s.query).sort()).toEqual([
    'sum(increase(good[1d]))',
    'sum(increase(good[5m]))',
    'sum(increase(total[1d]))',
    'sum(increase(total[5m]))',
  ]);
  for (const request of seen) {
    expect(request.time).toBe('1795255200.000');
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
  }
});

it('derives good from an errorQuery', async () => {
  answer = (query) => ({
    status: 200,
    body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, query.includes('errors') ? '25' : '1000'] }] } },
  });
  expect(await source().counts(ERRORS, ['1h'], NOW)).toEqual({ '1h': { good: 975, total: 1000 } });
});

it('keeps at most `concurrency` queries in flight', async () => {
  answer = () => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } }, delayMs: 30 });
  const client = source({ concurrency: 3 });
  await Promise.all([client.counts(GOOD, ['5m', '30m', '1h', '6h'], NOW), client.counts(ERRORS, ['5m', '30m', '1h', '6h'], NOW)]);
  expect(seen).toHaveLength(16);
  expect(maxInFlight).toBe(3);
});

it.each([
  ['an error answer', () => ({ status: 422, body: { status: 'error', errorType: 'execution', error: 'query timed out in expression evaluation' } }), /prometheus: query failed: execution: query timed out/],
  ['a 503 without JSON', () => ({ status: 503, body: 'Service Unavailable' }), /prometheus: Prometheus answered HTTP 503/],
  ['a slow answer', () => ({ status: 200, body: {}, delayMs: 500 }), /prometheus: timeout/],
])('fails the SLO on %s, naming neither the headers nor the URL', async (_name, respond, message) => {
  answer = respond;
  const failure = await source({ timeoutMs: 200 })
    .counts(GOOD, ['5m'], NOW)
    .then(
      () => null,
      (error: Error) => error,
    );
  expect(failure?.message).toMatch(message);
  expect(failure?.message).not.toContain(SECRET);
  expect(failure?.message).not.toContain(url);
});

it('fails the SLO when Prometheus cannot be reached', async () => {
  const closedPort = await freePort();
  const client = new PrometheusSource({ url: `http://127.0.0.1:${closedPort}`, timeoutMs: 1_000, concurrency: 4, headers: {} });
  await expect(client.counts(GOOD, ['5m'], NOW)).rejects.toThrow('prometheus: ECONNREFUSED');
});
