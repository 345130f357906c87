import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKENS } from '../helpers/configs';
import { startPrometheus, TestPrometheus } from '../helpers/prometheus-server';
import { ServiceProcess, startService } from '../helpers/service-process';

/**
 * Issue 12 item 5: `dashboards/slo-engine.json` is importable as is (the datasource a template
 * variable) and every panel's query returns data from a real Prometheus scraping the built service,
 * so no panel names a metric or label `/metrics` does not have.
 */
const DASHBOARD = join(__dirname, '..', '..', 'dashboards', 'slo-engine.json');
const DS = { type: 'prometheus', uid: '${datasource}' };

interface Target {
  expr?: string;
  refId: string;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: unknown;
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  datasource?: unknown;
  multi?: boolean;
  includeAll?: boolean;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: Variable[] };
  panels: Panel[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** Grafana's substitutions, as with "All" selected and a 1 h range. */
function substitute(expr: string): string {
  return expr
    .replace(/\$service|\$\{service\}/g, '.*')
    .replace(/\$slo|\$\{slo\}/g, '.*')
    .replace(/\$__rate_interval|\$__interval/g, '1m')
    .replace(/\$__range/g, '1h');
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function config(): string {
  return `slos:
  - id: checkout-availability
    service: checkout
    objective: 99
    window: 1d
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 10, long: 10m, short: 1m }
        - { severity: ticket, burnRate: 2, long: 1h, short: 5m }
  - id: search-availability
    service: search
    objective: 99.5
    window: 7d
    sli: { source: events }
auth:
  publicRead: true
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
notifiers:
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [log]
  - match: { severity: ticket }
    notify: [log]
`;
}

async function post(base: string, path: string, token: string, body: unknown): Promise<Response> {
  return fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

describe('Grafana dashboard (dashboards/slo-engine.json)', () => {
  it('is importable as is: uid, title, a datasource variable, no hard-coded datasource', () => {
    expect(dashboard.uid).toBe('slo-engine');
    expect(dashboard.title).toEqual(expect.any(String));
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['service', 'slo']) expect(variables.get(name)).toMatchObject({ type: 'query', datasource: DS, multi: true, includeAll: true });
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(queryPanels.length).toBeGreaterThanOrEqual(15);
    for (const panel of queryPanels) {
      expect({ title: panel.title, datasource: panel.datasource }).toEqual({ title: panel.title, datasource: DS });
      expect(panel.description).toEqual(expect.any(String));
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect({ panel: panel.title, datasource: target.datasource }).toEqual({ panel: panel.title, datasource: DS });
        expect(target.expr).toMatch(/\S/);
      }
    }
    // No datasource uid other than the variable anywhere in the file.
    const uids = [...readFileSync(DASHBOARD, 'utf8').matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(uids)).toEqual(new Set(['slo-engine', '${datasource}', '-- Grafana --']));
  });

  describe('against a real Prometheus scraping the built service', () => {
    let dir: string;
    let service: ServiceProcess | null = null;
    let prometheus: TestPrometheus | null = null;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'slo-engine-grafana-'));
      writeFileSync(join(dir, 'config.yaml'), config());
      service = await startService({ CONFIG_FILE: join(dir, 'config.yaml'), EVALUATION_INTERVAL: '1s', LOG_LEVEL: 'warn' });
      await service.waitFor('/readyz', 200);
      const base = service.base;
      // Good traffic 9 minutes ago, then 100% errors now: checkout's page (10×, 10m/1m) and ticket fire.
      const now = Date.now();
      const events = [
        { slo: 'checkout-availability', good: 1000, total: 1000, timestamp: new Date(now - 9 * MINUTE).toISOString() },
        { slo: 'checkout-availability', good: 0, total: 1000, timestamp: new Date(now - SECOND).toISOString() },
        { slo: 'search-availability', good: 1000, total: 1000, timestamp: new Date(now - 9 * MINUTE).toISOString() },
        { slo: 'search-availability', good: 1000, total: 1000, timestamp: new Date(now - SECOND).toISOString() },
      ];
      expect((await post(base, '/v1/events', TOKENS.ingest, { events })).status).toBe(202);
      const metrics = async () => (await fetch(`${base}/metrics`)).text();
      await until(
        'the page fires and its notification is delivered',
        async () => {
          const text = await metrics();
          return /slo_alert_firing\{[^}]*slo="checkout-availability"[^}]*severity="page"[^}]*\} 1/.test(text) && /slo_engine_notifications_total\{[^}]*result="delivered"[^}]*\} [1-9]/.test(text);
        },
        15_000,
      );
      const gate = await post(base, '/v1/deploy-gate', TOKENS.ci, { service: 'checkout', changeType: 'feature' });
      expect(gate.status).toBe(200);
      expect(((await gate.json()) as { decision: string }).decision).toBe('deny');

      prometheus = await startPrometheus([], { scrape: { job: 'slo-engine', targets: [`127.0.0.1:${service.port}`] } });
      const url = prometheus.url;
      await until(
        'Prometheus scraped the service 4 times',
        async () => {
          const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="slo-engine"}[1m]) >= 4 and up == 1')}`)).json()) as { data: { result: unknown[] } };
          return body.data.result.length > 0;
        },
        20_000,
      );
    }, 50_000);

    afterAll(async () => {
      await prometheus?.stop();
      if (service && service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    const instant = async (query: string): Promise<{ status: string; result: unknown[]; error?: string }> => {
      const response = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      return { status: body.status, result: body.data?.result ?? [], error: body.error };
    };

    it('answers the service and slo variables', async () => {
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
        const query = (variable.query as { query: string }).query;
        const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
        expect(match).not.toBeNull();
        const params = new URLSearchParams({ 'match[]': substitute(match![1]) });
        const body = (await (await fetch(`${prometheus!.url}/api/v1/label/${match![2]}/values?${params}`)).json()) as { status: string; data: string[] };
        expect({ variable: variable.name, status: body.status, values: body.data }).toEqual({
          variable: variable.name,
          status: 'success',
          values: variable.name === 'service' ? ['checkout', 'search'] : ['checkout-availability', 'search-availability'],
        });
      }
    });

    const targets = queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => [`${panel.title} ${target.refId}`, target.expr ?? ''] as const));
    it.each(targets)('%s returns data', async (_name, expr) => {
      const answer = await instant(substitute(expr));
      expect({ expr, status: answer.status, error: answer.error }).toEqual({ expr, status: 'success', error: undefined });
      expect({ expr, empty: answer.result.length === 0 }).toEqual({ expr, empty: false });
      // The fallback to 0 must not hide a wrong name: without it, the query still finds its series.
      const bare = expr.replace(/\s+or on\(\) vector\(0\)$/, '').replace(/^\((.*) >= 0\)$/, '$1');
      if (bare !== expr) {
        const series = await instant(substitute(bare));
        expect({ bare, status: series.status, empty: series.result.length === 0 }).toEqual({ bare, status: 'success', empty: false });
      }
    });

    it('shows zones as text and the page as firing', async () => {
      const zones = (await instant('slo_zone == 1')).result as Array<{ metric: Record<string, string> }>;
      expect(zones.map((z) => `${z.metric.slo} ${z.metric.zone}`).sort()).toEqual(['checkout-availability exhausted', 'search-availability normal']);
      const firing = (await instant('sum by (severity) (slo_alert_firing{service=~".*", slo=~".*"})')).result as Array<{ metric: { severity: string }; value: [number, string] }>;
      expect(Object.fromEntries(firing.map((f) => [f.metric.severity, f.value[1]]))).toEqual({ page: '1', ticket: '1' });
    });
  });
});
