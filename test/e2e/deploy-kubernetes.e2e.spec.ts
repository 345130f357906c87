import { spawnSync } from 'node:child_process';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config/app-config';
import { K8S_DIR, LABELS, SIGTERM_EXIT_SECONDS, Json, onPath, asRecord, envReferences, bytes, Instruction, lastOf, finalStage, kustomization, manifestFiles, parseManifests, manifests, validateManifest, typeCheckManifests, only, DeploymentView, deployment, podSpec, container, secret, configMap, containerPort, deploymentEnv, mountedConfig, loadConfigText } from '../helpers/deploy-files';

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

describe('deploy/kubernetes', () => {
  it('lists every manifest in kustomization.yaml and each one is valid against the Kubernetes schemas', () => {
    expect([...(kustomization.resources as string[])].sort()).toEqual(manifestFiles);
    expect(manifests.map((m) => m.value.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const m of manifests) validateManifest(m);
    for (const m of manifests) {
      const metadata = asRecord(m.value.metadata, `${m.file} metadata`);
      expect(metadata.labels).toMatchObject({ ...LABELS, 'app.kubernetes.io/component': 'server', 'app.kubernetes.io/part-of': 'slo-engine' });
      expect(metadata.namespace).toBeUndefined(); // the namespace comes from kubectl's context or the kustomization
    }
  });

  it('the validator refuses what the API server would refuse (so the check above has teeth)', () => {
    const broken = structuredClone(deployment) as unknown as Json;
    ((broken.spec as Json).template as { spec: { containers: Json[] } }).spec.containers[0].ports = [{ name: 'http', containerPort: '8080x' }];
    expect(() => validateManifest({ file: 'broken', index: 0, value: broken })).toThrow(/containerPort must be integer/);
    const noPort = structuredClone(only('Service'));
    (noPort.spec as { ports: Json[] }).ports[0] = { name: 'http', targetPort: 'http' };
    expect(() => validateManifest({ file: 'broken', index: 0, value: noPort })).toThrow(/must have required property '?port'?/);
  });

  it('has no unknown or misplaced field (TypeScript against the typed models of the same package)', () => {
    expect(typeCheckManifests(manifests)).toEqual([]);
    // a misspelt field deep inside the pod template is caught
    const typo = structuredClone(deployment) as unknown as Json;
    const pod = ((typo.spec as Json).template as { spec: { containers: Json[] } }).spec;
    pod.containers[0].readinesProbe = pod.containers[0].readinessProbe;
    delete pod.containers[0].readinessProbe;
    const errors = typeCheckManifests([{ file: 'typo.yaml', index: 0, value: typo }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^typo\.yaml document 0 \(Deployment\): .*readinesProbe.* does not exist in type 'IContainer'/);
  }, 60_000);

  it('renders with kubectl kustomize when kubectl is installed (and the image is set from the kustomization)', () => {
    if (!onPath('kubectl')) {
      console.warn('kubectl not on PATH: kustomize rendering not checked');
      return;
    }
    const rendered = spawnSync('kubectl', ['kustomize', K8S_DIR], { encoding: 'utf8', timeout: 30_000 });
    expect(rendered.status === 0 ? 0 : rendered.stderr).toBe(0);
    const out = parseManifests(rendered.stdout, 'kubectl kustomize');
    expect(out).toHaveLength(manifests.length);
    for (const m of out) validateManifest(m);
    const images = kustomization.images as { name: string; newName: string; newTag: string }[];
    const rendredContainer = (only('Deployment', out) as unknown as DeploymentView).spec.template.spec.containers[0];
    expect(rendredContainer.image).toBe(`${images[0].newName}:${images[0].newTag}`);
  });

  it('the image kustomization.yaml sets is the one the Deployment runs', () => {
    const images = kustomization.images as { name: string }[];
    expect(images.map((i) => i.name)).toEqual([container.image.split(':')[0]]);
  });

  it('Deployment: 3 replicas whose labels the Service and the PodDisruptionBudget select', () => {
    expect(deployment.spec.replicas).toBe(3);
    const selector = deployment.spec.selector.matchLabels;
    expect(selector).toEqual(LABELS);
    expect(deployment.spec.template.metadata.labels).toMatchObject(selector);

    const service = only('Service') as unknown as { spec: { type: string; selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] } };
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.selector).toEqual(selector);
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0].port).toBe(80);
    expect(containerPort(service.spec.ports[0].targetPort)).toBe(8080);

    const pdb = only('PodDisruptionBudget') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number } };
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
    const keptUp = pdb.spec.minAvailable ?? deployment.spec.replicas - (pdb.spec.maxUnavailable ?? deployment.spec.replicas);
    expect(keptUp).toBe(2); // one replica at a time may be evicted, two keep answering
  });

  it('probes: readiness on /readyz, liveness (and startup) on /healthz, on the port the service listens on', () => {
    const listens = Number(deploymentEnv().PORT ?? 8080);
    expect(container.ports).toEqual([{ name: 'http', containerPort: listens, protocol: 'TCP' }]);
    expect(lastOf(finalStage, 'EXPOSE')?.args).toBe(String(listens));
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(containerPort(container.readinessProbe.httpGet.port)).toBe(listens);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(containerPort(container.livenessProbe.httpGet.port)).toBe(listens);
    expect(container.startupProbe?.httpGet.path).toBe('/healthz');
    expect(containerPort(container.startupProbe?.httpGet.port ?? 0)).toBe(listens);
    // liveness gives up long after the 10 s a SIGTERM takes, so it never kills a replica that is stopping
    const liveness = (container.livenessProbe.periodSeconds ?? 10) * (container.livenessProbe.failureThreshold ?? 3);
    expect(liveness).toBeGreaterThan(SIGTERM_EXIT_SECONDS);
  });

  it('stops cleanly: the grace period covers the preStop sleep and the service SIGTERM drain', () => {
    const preStop = container.lifecycle?.preStop;
    const sleep = preStop?.sleep?.seconds ?? Number(preStop?.exec?.command[0] === 'sleep' ? preStop.exec.command[1] : NaN);
    expect(sleep).toBeGreaterThanOrEqual(3);
    expect(sleep).toBeLessThanOrEqual(10);
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(sleep + SIGTERM_EXIT_SECONDS);
  });

  it('runs as the image user, non-root, read-only, without privileges', () => {
    const uid = (lastOf(finalStage, 'USER') as Instruction).args.split(':')[0];
    expect(podSpec.securityContext?.runAsNonRoot).toBe(true);
    expect(String(podSpec.securityContext?.runAsUser)).toBe(uid);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('resources: memory sized from the measured figures, with the V8 heap below the limit', () => {
    const { requests, limits } = container.resources;
    expect(Object.keys(requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits).sort()).toEqual(['cpu', 'memory']);
    // docs/operations.md: 383 MB resident with 10,000 SLOs and a day of events; SPEC §11: ≤ 1 GB per replica
    expect(bytes(requests.memory)).toBeGreaterThanOrEqual(383e6);
    expect(bytes(limits.memory)).toBeGreaterThanOrEqual(bytes(requests.memory));
    expect(bytes(limits.memory)).toBeLessThanOrEqual(2 ** 30);
    const heap = /--max-old-space-size=(\d+)/.exec(deploymentEnv().NODE_OPTIONS ?? '');
    expect(heap).not.toBeNull();
    const heapBytes = Number(heap?.[1]) * 2 ** 20;
    expect(heapBytes).toBeGreaterThan(bytes(requests.memory) / 2);
    expect(heapBytes).toBeLessThan(bytes(limits.memory) * 0.85);
  });

  it('CONFIG_FILE is the ConfigMap key mounted from configmap.yaml; every Secret key is used', () => {
    const { key, path } = mountedConfig();
    expect(path).toBe('/etc/slo-engine/config.yaml');
    expect(Object.keys(configMap.data)).toContain(key);
    expect(container.volumeMounts.every((m) => m.subPath === undefined)).toBe(true); // subPath mounts never see an update
    const used = container.env.flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.key] : []));
    expect([...used].sort()).toEqual(Object.keys(secret.stringData).sort());
  });

  it('every ${VAR} the config needs comes from the Deployment, and the config loads with the real loader', () => {
    const text = configMap.data[mountedConfig().key];
    const env = deploymentEnv();
    const needed = envReferences(text).filter((r) => !r.hasDefault);
    expect(needed.length).toBeGreaterThan(0);
    for (const { name } of needed) {
      expect(container.env.find((v) => v.name === name)?.valueFrom?.secretKeyRef ? name : `${name} (not from the Secret)`).toBe(name);
    }
    // no literal secret in the ConfigMap: tokens, keys and webhook URLs are all references
    const raw = asRecord(parse(text), 'config');
    for (const token of (raw.auth as { tokens: { token: string }[] }).tokens) expect(token.token).toMatch(/^\$\{[A-Z_]+\}$/);
    for (const notifier of Object.values(raw.notifiers as Record<string, Json>)) {
      for (const field of ['routingKey', 'webhookUrl']) if (field in notifier) expect(notifier[field]).toMatch(/^\$\{[A-Z_]+\}$/);
    }

    const config = loadConfigText(text, env);
    expect(config.server.redisUrl).toBe(secret.stringData['redis-url']);
    expect(config.server.port).toBe(8080);
    expect(config.auth.publicRead).toBe(false);
    expect(config.auth.tokens.map((t) => t.token).sort()).toEqual(
      ['ci-token', 'ingest-token', 'admin-token', 'metrics-token'].map((k) => secret.stringData[k]).sort(),
    );
    expect(config.slos.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(config.notifiers).sort()).toEqual(['pagerduty', 'slack']);
    expect(config.warnings.filter((w) => /in-memory|development tokens/i.test(w))).toEqual([]);

    // the Secret left out: the start stops, naming what is missing (nothing runs half-configured)
    const { REDIS_URL: _redis, ...withoutRedis } = env;
    expect(() => loadConfigText(text, withoutRedis)).toThrow(ConfigError);
    expect(() => loadConfigText(text, withoutRedis)).toThrow(/server\.redisUrl.*REDIS_URL/);
  });
});
