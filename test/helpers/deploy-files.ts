/**
 * Shared by the deploy-*.e2e.spec.ts files (issue 13 item 5: Dockerfile, deploy/kubernetes, docker-compose.yml,
 * deploy/prometheus): parsers of the Dockerfile and the manifests, the Deployment's environment, small process helpers.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, posix, relative } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import * as ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.loader';

export const ROOT = join(__dirname, '..', '..');
export const K8S_DIR = join(ROOT, 'deploy', 'kubernetes');
export const PROMETHEUS_DIR = join(ROOT, 'deploy', 'prometheus');
export const LABELS = { 'app.kubernetes.io/name': 'slo-engine', 'app.kubernetes.io/instance': 'slo-engine' };
/** SPEC §2 / §12: after SIGTERM the service exits 0 within 10 s. */
export const SIGTERM_EXIT_SECONDS = 10;

// ---------------------------------------------------------------------------------------------
// small helpers

export type Json = Record<string, unknown>;

export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

export function asRecord(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: not a mapping`);
  return value as Json;
}

/** `${VAR}` / `${VAR:-default}` references in a text (the config's and docker compose's syntax). */
export function envReferences(text: string): { name: string; hasDefault: boolean }[] {
  return [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g)].map((m) => ({ name: m[1], hasDefault: m[2] !== undefined }));
}

/** docker compose's interpolation of `${VAR}`, `${VAR:-default}` and `$$` with the given environment. */
export function composeInterpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$';
    const set = env[name as string];
    return set !== undefined && set !== '' ? set : (fallback ?? '');
  });
}

/** A Kubernetes quantity (`512Mi`, `1Gi`, `768M`) in bytes. */
export function bytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

export function listFiles(dir: string, skip: string[] = []): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const rel = relative(dir, path);
      if (skip.includes(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else out.push(`${rel} ${entry.isFile() ? statSync(path).size : 'link'}`);
    }
  };
  walk(dir);
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// Dockerfile: a line parser (continuations, comments, stages)

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return; // comments, also inside a continuation
    if (pending === '') start = index + 1;
    pending += (pending === '' ? '' : ' ') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) return;
    const m = /^(\S+)\s*(.*)$/.exec(pending);
    if (m) instructions.push({ keyword: m[1].toUpperCase(), args: m[2], line: start });
    pending = '';
  });
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!m) throw new Error(`Dockerfile line ${instruction.line}: cannot read FROM ${instruction.args}`);
      stages.push({ image: m[1], name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      preamble.push(instruction);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

/** Exec form (`["node", "dist/main.js"]`) or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** Leading `--flag=value` options of COPY / HEALTHCHECK, and the rest. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).pop();
}

export interface CopyLine {
  from?: string;
  sources: string[];
  dest: string;
}

export function copyLines(stage: Stage): CopyLine[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const { flags, rest } = splitFlags(i.args);
      const words = execForm(rest) ?? rest.split(/\s+/);
      return { from: flags.from, sources: words.slice(0, -1), dest: words[words.length - 1] };
    });
}

export const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
export const dockerfile = parseDockerfile(dockerfileText);
export const finalStage = dockerfile.stages[dockerfile.stages.length - 1];

/** `ARG NAME=value` defaults of the preamble, substituted into FROM lines. */
export function resolvedImage(stage: Stage): string {
  const args = Object.fromEntries(
    dockerfile.preamble.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=', 2) as [string, string]),
  );
  return stage.image.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
}

/**
 * Where each path of the runtime stage comes from: `{ dest, from: 'context' | stage name, source }`
 * with `source` relative to the repository (the build context, or the build stage's WORKDIR, whose
 * output is the working tree's `npm run build` output).
 */
export function runtimeLayout(): { dest: string; from: string; source: string }[] {
  const workdir = lastOf(finalStage, 'WORKDIR')?.args ?? '/';
  return copyLines(finalStage).flatMap((copy) => {
    const fromStage = copy.from === undefined ? undefined : dockerfile.stages.find((s) => s.name === copy.from);
    if (copy.from !== undefined && !fromStage) throw new Error(`COPY --from=${copy.from}: no such stage`);
    const stageWorkdir = fromStage ? (lastOf(fromStage, 'WORKDIR')?.args ?? '/') : '';
    return copy.sources.map((source) => {
      const inRepo = fromStage ? posix.relative(stageWorkdir, posix.resolve(stageWorkdir, source)) : posix.normalize(source);
      const target = posix.resolve(workdir, copy.dest.endsWith('/') ? posix.join(copy.dest, posix.basename(source)) : copy.dest);
      return { dest: posix.relative(workdir, target), from: copy.from ?? 'context', source: inRepo };
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Kubernetes manifests

export interface Manifest {
  file: string;
  index: number;
  value: Json;
}

export const kustomization = asRecord(parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')), 'kustomization.yaml');
export const manifestFiles = readdirSync(K8S_DIR)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
  .sort();

export function parseManifests(text: string, file: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc, index) => {
      if (doc.errors.length > 0) throw new Error(`${file} document ${index}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return { file, index, value: doc.toJS() as unknown };
    })
    .filter((m): m is { file: string; index: number; value: unknown } => m.value !== null && m.value !== undefined)
    .map((m) => ({ ...m, value: asRecord(m.value, `${file} document ${m.index}`) }));
}

export const manifests = manifestFiles.flatMap((file) => parseManifests(readFileSync(join(K8S_DIR, file), 'utf8'), file));

/** The typed model of each kind (kubernetes-models, generated from the Kubernetes OpenAPI document). */
export const MODELS: Record<string, { apiVersion: string; validate(value: Json): void; module: string; type: string }> = {
  ConfigMap: { apiVersion: 'v1', validate: (v) => new ConfigMap(v as never).validate(), module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  Secret: { apiVersion: 'v1', validate: (v) => new Secret(v as never).validate(), module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  Service: { apiVersion: 'v1', validate: (v) => new Service(v as never).validate(), module: 'kubernetes-models/v1/Service', type: 'IService' },
  Deployment: {
    apiVersion: 'apps/v1',
    validate: (v) => new Deployment(v as never).validate(),
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
  },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1',
    validate: (v) => new PodDisruptionBudget(v as never).validate(),
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
};

export function validateManifest(m: Manifest): void {
  const kind = String(m.value.kind);
  const model = MODELS[kind];
  if (!model) throw new Error(`${m.file}: kind ${kind} has no model here`);
  if (m.value.apiVersion !== model.apiVersion) throw new Error(`${m.file}: ${kind} should be ${model.apiVersion}, is ${String(m.value.apiVersion)}`);
  try {
    model.validate(m.value);
  } catch (error) {
    throw new Error(`${m.file} (${kind}): ${(error as Error).message}`);
  }
}

/**
 * TypeScript's excess-property check against the typed models: each manifest becomes an object
 * literal assigned to its kind's interface; an unknown field anywhere, or a value of the wrong
 * type, is a compile error. Returns the errors, each naming its manifest.
 */
export function typeCheckManifests(list: Manifest[]): string[] {
  const fileName = join(ROOT, 'test', 'e2e', '__deploy_manifests_typecheck__.ts');
  const lines: string[] = [];
  const owners: { from: number; to: number; name: string }[] = [];
  const kinds = [...new Set(list.map((m) => String(m.value.kind)))];
  for (const kind of kinds) lines.push(`import type { ${MODELS[kind].type} } from ${JSON.stringify(MODELS[kind].module)};`);
  list.forEach((m, i) => {
    const body = JSON.stringify(m.value, null, 2).split('\n');
    owners.push({ from: lines.length, to: lines.length + body.length, name: `${m.file} document ${m.index} (${String(m.value.kind)})` });
    body[0] = `export const manifest${i}: ${MODELS[String(m.value.kind)].type} = ${body[0]}`;
    body[body.length - 1] += ';';
    lines.push(...body);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) =>
    name === fileName ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? source : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== fileName || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const owner = owners.find((o) => line >= o.from && line < o.to);
    return `${owner?.name ?? 'imports'}: ${message}`;
  });
}

export function only(kind: string, list: Manifest[] = manifests): Json {
  const found = list.filter((m) => m.value.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0].value;
}

// typed views of the parts the checks read
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
export interface HttpProbe {
  httpGet: { path: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}
export interface Container {
  name: string;
  image: string;
  ports: { name?: string; containerPort: number }[];
  env: EnvVar[];
  readinessProbe: HttpProbe;
  livenessProbe: HttpProbe;
  startupProbe?: HttpProbe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes: { name: string; configMap?: { name: string; items?: { key: string; path: string }[] } }[];
}
export interface DeploymentView {
  metadata: { name: string; labels: Record<string, string> };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

export const deployment = only('Deployment') as unknown as DeploymentView;
export const podSpec = deployment.spec.template.spec;
export const container = podSpec.containers[0];
export const secret = only('Secret') as unknown as { metadata: { name: string }; stringData: Record<string, string> };
export const configMap = only('ConfigMap') as unknown as { metadata: { name: string }; data: Record<string, string> };

export function containerPort(port: string | number): number {
  if (typeof port === 'number') return port;
  const named = container.ports.find((p) => p.name === port);
  if (!named) throw new Error(`no container port named ${port}`);
  return named.containerPort;
}

/** The environment the Deployment gives the container, secrets resolved from secret.yaml. */
export function deploymentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      if (ref.name !== secret.metadata.name) throw new Error(`${variable.name}: Secret ${ref.name} is not secret.yaml's ${secret.metadata.name}`);
      if (!(ref.key in secret.stringData)) throw new Error(`${variable.name}: Secret has no key ${ref.key}`);
      env[variable.name] = secret.stringData[ref.key];
    } else if (variable.value !== undefined) {
      env[variable.name] = variable.value;
    } else {
      throw new Error(`${variable.name}: neither a value nor a secretKeyRef`);
    }
  }
  return env;
}

/** Where CONFIG_FILE points: the ConfigMap volume, the mount and the key. */
export function mountedConfig(): { key: string; path: string } {
  const configFile = deploymentEnv().CONFIG_FILE;
  const volume = podSpec.volumes.find((v) => v.configMap?.name === configMap.metadata.name);
  if (!volume) throw new Error(`no volume of ConfigMap ${configMap.metadata.name}`);
  const mount = container.volumeMounts.find((m) => m.name === volume.name);
  if (!mount) throw new Error(`volume ${volume.name} is not mounted`);
  const rel = posix.relative(mount.mountPath, configFile);
  const item = volume.configMap?.items?.find((i) => i.path === rel);
  return { key: item ? item.key : rel, path: configFile };
}

export function withTempDir<T>(prefix: string, body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns true (anything else, or a throw, is the last state shown on timeout). */
export async function until(what: string, check: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'not asked';
  for (;;) {
    try {
      last = await check();
      if (last === true) return;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function loadConfigText(text: string, env: Record<string, string>): ReturnType<typeof loadConfig> {
  return withTempDir('slo-engine-deploy-config-', (dir) => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, text);
    return loadConfig({ path: file, env });
  });
}

// ---------------------------------------------------------------------------------------------
