import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../helpers/free-port';
import { ROOT, PROMETHEUS_DIR, Json, onPath, asRecord, envReferences, composeInterpolate, dockerfile, kustomization, manifests, only, until, loadConfigText } from '../helpers/deploy-files';

/**
 * Issue 13 item 5, "Running it on a cluster": the Dockerfile, the Kubernetes manifests in
 * deploy/kubernetes/, docker-compose.yml and deploy/prometheus/ (docs/deploy.md).
 *
 * What cannot be done here: the image is not built. The machines the tests run on have a Docker
 * client but no Docker engine, and Docker Hub (node:22-bookworm-slim, redis:7, prom/prometheus) is not
 * reachable from them. Instead this test parses the Dockerfile, checks its shape (stages, non-root
 * USER, HEALTHCHECK, exec-form CMD) and reproduces the runtime stage: it copies exactly the paths
 * the runtime stage's COPY lines name (from the working tree's `npm run build` output, which
 * `npm test`'s pretest writes) into an empty directory and runs the CMD there, so a path the image
 * would lack (web/dist/, config/…) fails the test. node_modules is a symlink to the repository's:
 * the production-only install of the `deps` stage (`npm ci --omit=dev`) cannot be reproduced cheaply
 * here (it needs a second install from the registry). Instead, every CommonJS module the service
 * loads while it runs is checked against package-lock.json: none may come from a dev-only package.
 * That catches a runtime dependency kept in devDependencies on the paths the test exercises (start,
 * board, /metrics, SIGTERM), not on paths it does not (Redis, notifiers, ESM-only packages).
 *
 * The manifests are validated against the Kubernetes API's OpenAPI schemas with `kubernetes-models`
 * (its `validate()`: types, required fields, enums), and, because those schemas allow unknown fields,
 * type-checked with TypeScript against the same package's typed models, whose excess-property check
 * catches a misspelt or misplaced field at any depth. When `kubectl` is on PATH, `kubectl kustomize`
 * renders the kustomization and its output is validated too; when `promtool` and `prometheus` are on
 * PATH (Debian's prometheus package, which .ci/run installs), the Prometheus config is checked with
 * promtool and run for real against the service.
 */

describe('docker-compose.yml and deploy/prometheus', () => {
  const compose = asRecord(parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')), 'docker-compose.yml');
  const services = asRecord(compose.services, 'services') as Record<string, Json>;
  const engine = services['slo-engine'] as {
    build: { context: string; dockerfile: string };
    environment: Record<string, string>;
    depends_on: Record<string, { condition: string }>;
    healthcheck: { test: string[] };
    ports: string[];
  };
  const redis = services.redis as { image: string; command: string[]; healthcheck: { test: string[] } };
  const prometheus = services.prometheus as { image: string; volumes: string[] };
  const prometheusConfig = asRecord(parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')), 'prometheus.yml') as {
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path?: string; authorization?: unknown; static_configs: { targets: string[] }[] }[];
  };
  const engineJob = prometheusConfig.scrape_configs.find((j) => j.job_name === 'slo-engine');

  it('runs the service built from the Dockerfile, Redis 7 and Prometheus', () => {
    expect(Object.keys(services).sort()).toEqual(['prometheus', 'redis', 'slo-engine']);
    expect(engine.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(redis.image).toMatch(/^redis:7(\.|$)/);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
    expect(engine.ports).toEqual(['8080:8080']);
  });

  it('Redis as the service needs it: noeviction, persisted, healthy before the service starts', () => {
    const command = redis.command.join(' ');
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    expect(command).toMatch(/--appendonly yes\b/);
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(engine.depends_on.redis.condition).toBe('service_healthy');
    const url = new URL(composeInterpolate(engine.environment.REDIS_URL, {}));
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(Object.keys(services)).toContain(url.hostname);
  });

  it('the service is healthy when ready, and its tokens default to development values', () => {
    expect(engine.healthcheck.test[0]).toBe('CMD');
    expect(engine.healthcheck.test.join(' ')).toContain('http://127.0.0.1:8080/readyz');
    for (const name of ['CI_TOKEN', 'INGEST_TOKEN', 'ADMIN_TOKEN']) {
      expect(envReferences(engine.environment[name])).toEqual([{ name, hasDefault: true }]);
    }
  });

  it('the config the compose service runs (the bundled one) loads with its environment, set or not', () => {
    const interpolate = (shell: Record<string, string>) =>
      Object.fromEntries(Object.entries(engine.environment).map(([k, v]) => [k, composeInterpolate(String(v), shell)]));
    expect(engine.environment.CONFIG_FILE).toBeUndefined(); // the image's config/example.yaml
    const bundled = readFileSync(join(ROOT, 'config', 'example.yaml'), 'utf8');
    const defaults = loadConfigText(bundled, interpolate({}));
    expect(defaults.server.redisUrl).toBe('redis://redis:6379');
    expect(defaults.auth.tokens.map((t) => t.token).sort()).toEqual(['dev-admin-token', 'dev-ci-token', 'dev-ingest-token']);
    const set = loadConfigText(bundled, interpolate({ CI_TOKEN: 'c'.repeat(32), INGEST_TOKEN: 'i'.repeat(32), ADMIN_TOKEN: 'a'.repeat(32) }));
    expect(set.auth.tokens.map((t) => t.token).sort()).toEqual(['a'.repeat(32), 'c'.repeat(32), 'i'.repeat(32)]);
    // publicRead: Prometheus scrapes /metrics without a token; otherwise its job must send one
    expect(defaults.auth.publicRead || engineJob?.authorization !== undefined).toBe(true);
  });

  it("Prometheus mounts deploy/prometheus and scrapes the service's /metrics", () => {
    for (const file of ['prometheus.yml', 'slo-engine-rules.yml']) {
      expect(prometheus.volumes).toContain(`./deploy/prometheus/${file}:/etc/prometheus/${file}:ro`);
    }
    expect(prometheusConfig.rule_files).toEqual(['slo-engine-rules.yml']);
    expect(engineJob).toBeDefined();
    expect(engineJob?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(engineJob?.static_configs.flatMap((s) => s.targets)).toEqual([`slo-engine:${engine.ports[0].split(':')[1]}`]);
  });

  it('promtool check config accepts the config and its rules', () => {
    if (!onPath('promtool')) {
      console.warn('promtool not on PATH (Debian package prometheus): promtool check config not run');
      return;
    }
    const checked = spawnSync('promtool', ['check', 'config', join(PROMETHEUS_DIR, 'prometheus.yml')], { encoding: 'utf8', timeout: 30_000 });
    expect(`${checked.stdout}${checked.stderr}`).toMatch(/SUCCESS: 5 rules found/);
    expect(checked.status).toBe(0);
  });

  it('a real Prometheus with this config scrapes the service and evaluates every rule without error', async () => {
    if (!onPath('prometheus')) {
      console.warn('prometheus not on PATH (Debian package prometheus): the scrape was not run');
      return;
    }
    // the service, as the compose file runs it (the bundled config), here in memory on a free port
    const servicePort = await freePort();
    const promPort = await freePort();
    const service = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(servicePort), EVALUATION_INTERVAL: '1s' },
      stdio: 'ignore',
    });
    let prom: ChildProcess | undefined;
    const dir = mkdtempSync(join(tmpdir(), 'slo-engine-deploy-prometheus-'));
    const api = async <T>(path: string): Promise<T> => ((await (await fetch(`http://127.0.0.1:${promPort}${path}`)).json()) as { data: T }).data;
    try {
      // ready: its first cycle has run, so slo_engine_last_successful_cycle_timestamp_seconds is set
      await until('the service to be ready', () => fetch(`http://127.0.0.1:${servicePort}/readyz`).then((r) => r.status === 200));
      // the compose file's config, with the compose host names replaced by loopback addresses and a 1 s pace
      const text = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')
        .replace('slo-engine:8080', `127.0.0.1:${servicePort}`)
        .replace('localhost:9090', `127.0.0.1:${promPort}`)
        .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
        .replace(/evaluation_interval: \S+/, 'evaluation_interval: 1s');
      writeFileSync(join(dir, 'prometheus.yml'), text);
      cpSync(join(PROMETHEUS_DIR, 'slo-engine-rules.yml'), join(dir, 'slo-engine-rules.yml'));
      prom = spawn(
        'prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
        { stdio: 'ignore' },
      );
      await until('Prometheus to scrape the service', async () => {
        const targets = await api<{ activeTargets: { labels: { job: string }; health: string; lastError: string }[] }>('/api/v1/targets');
        const target = targets.activeTargets.find((t) => t.labels.job === 'slo-engine');
        return target?.health === 'up' || JSON.stringify(target);
      });
      await new Promise((r) => setTimeout(r, 3_000)); // three rule evaluations over scraped data
      const rules = await api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
      expect(rules.groups.flatMap((g) => g.rules).map((r) => `${r.name} ${r.health} ${r.lastError ?? ''}`.trim())).toEqual([
        'SloEngineDown ok',
        'SloEngineCyclesStalled ok',
        'SloEngineCycleFailures ok',
        'SloEngineStateLost ok',
        'SloEngineNotificationsFailing ok',
      ]);
      // the engine is up and cycling: none of the rules on its health fires, not even pending
      const alerts = await api<{ alerts: { labels: { alertname: string }; state: string }[] }>('/api/v1/alerts');
      expect(alerts.alerts.map((a) => `${a.labels.alertname} ${a.state}`)).toEqual([]);
    } finally {
      prom?.kill('SIGKILL');
      service.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
