import { startTestApp, TestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §9 `GET /metrics` (read scope): the budget API's numbers as Prometheus gauges, one zone series
 * per zone, firing alerts, the evaluation duration histogram, the notification and gate counters,
 * the process defaults — parsed from the exposition text, not matched as strings.
 */
let t: TestApp;

afterEach(async () => {
  await t?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (one sample per line; # lines skipped). */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

it('exposes the budget API numbers, zones, alerts, cycle durations and counters', async () => {
  t = await startTestApp(testConfig());
  const now = t.clock.now();
  const ingest = await t.request({
    method: 'POST',
    url: '/v1/events',
    token: TOKENS.ingest,
    body: { events: [{ slo: 'checkout-availability', good: 9_000, total: 10_000, timestamp: new Date(now - 60_000).toISOString() }] },
  });
  expect(ingest.status).toBe(202);
  await t.evaluate();
  expect((await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout' } })).status).toBe(200);

  const response = await t.request({ url: '/metrics', token: TOKENS.reader });
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  const samples = parse(String(response.body));
  const budget = (await t.request({ url: '/v1/slos/checkout-availability/budget', token: TOKENS.reader })).body;
  const labels = { slo: 'checkout-availability', service: 'checkout' };

  expect(value(samples, 'slo_error_budget_remaining', labels)).toBeCloseTo(budget.budget.remaining, 9);
  expect(value(samples, 'slo_sli', labels)).toBeCloseTo(budget.sli, 9);
  for (const [window, rate] of Object.entries(budget.burnRates as Record<string, number>)) {
    expect([window, value(samples, 'slo_burn_rate', { ...labels, window })]).toEqual([window, expect.closeTo(rate, 9)]);
  }
  expect(budget.zone).toBe('exhausted');
  for (const zone of ['normal', 'caution', 'freeze', 'exhausted', 'unknown']) {
    expect([zone, value(samples, 'slo_zone', { ...labels, zone })]).toEqual([zone, zone === budget.zone ? 1 : 0]);
  }
  expect(value(samples, 'slo_alert_firing', { ...labels, severity: 'page' })).toBe(1);
  // An SLO never evaluated with data: no remaining/SLI values to report as numbers it does not have.
  expect(value(samples, 'slo_zone', { slo: 'search-availability', service: 'search', zone: 'unknown' })).toBe(1);
  expect(value(samples, 'slo_alert_firing', { slo: 'search-availability', service: 'search', severity: 'page' })).toBe(0);

  expect(value(samples, 'slo_engine_evaluation_duration_seconds_count', {})).toBe(1);
  // this replica's share (every SLO of the config) and the evaluations it ran, a second cycle adding its own
  const sloCount = t.config.current.slos.length;
  expect(sloCount).toBeGreaterThan(1);
  expect(value(samples, 'slo_engine_replica_slos', {})).toBe(sloCount);
  expect(value(samples, 'slo_engine_slo_evaluations_total', {})).toBe(sloCount);
  await t.evaluate();
  const after = parse(String((await t.request({ url: '/metrics', token: TOKENS.reader })).body));
  expect(value(after, 'slo_engine_slo_evaluations_total', {})).toBe(2 * sloCount);
  expect(value(samples, 'deploy_gate_decisions_total', { service: 'checkout', decision: 'deny' })).toBe(1);
  expect(value(samples, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
  expect(value(samples, 'nodejs_eventloop_lag_seconds', {})).toBeGreaterThanOrEqual(0);
  for (const token of Object.values(TOKENS)) expect(String(response.body)).not.toContain(token);
});

it('needs the read scope unless publicRead is on', async () => {
  t = await startTestApp(testConfig());
  expect((await t.request({ url: '/metrics' })).status).toBe(401);
  expect((await t.request({ url: '/metrics', token: TOKENS.ingest })).status).toBe(403);
  await t.close();
  t = await startTestApp(testConfig({ publicRead: true }));
  expect((await t.request({ url: '/metrics' })).status).toBe(200);
});
