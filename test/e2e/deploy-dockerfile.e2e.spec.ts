import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../helpers/free-port';
import { ROOT, PROMETHEUS_DIR, SIGTERM_EXIT_SECONDS, listFiles, Instruction, execForm, splitFlags, lastOf, copyLines, dockerfile, finalStage, resolvedImage, runtimeLayout, kustomization, manifests, only } from '../helpers/deploy-files';

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

describe('Dockerfile', () => {
  it('builds in several stages from node:22-bookworm-slim and runs as a non-root user', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) expect(resolvedImage(stage)).toBe('node:22-bookworm-slim');
    const build = dockerfile.stages.find((s) => s.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)));
    expect(build).toBeDefined();
    expect(build).not.toBe(finalStage);
    // the runtime stage installs and builds nothing: it only copies
    expect(finalStage.instructions.filter((i) => i.keyword === 'RUN')).toEqual([]);

    const user = lastOf(finalStage, 'USER');
    expect(user).toBeDefined();
    const name = (user as Instruction).args.split(':')[0];
    expect(['root', '0', '']).not.toContain(name);
    expect(lastOf(finalStage, 'ENV')?.args).toMatch(/\bNODE_ENV=production\b/);
    expect(lastOf(finalStage, 'EXPOSE')?.args).toBe('8080');
  });

  it('checks /healthz with node (no curl in slim images) and starts node dist/main.js in exec form', () => {
    const healthcheck = lastOf(finalStage, 'HEALTHCHECK');
    expect(healthcheck).toBeDefined();
    const { flags, rest } = splitFlags((healthcheck as Instruction).args);
    expect(Object.keys(flags)).toEqual(expect.arrayContaining(['interval', 'timeout']));
    expect(rest.startsWith('CMD ')).toBe(true);
    const probe = execForm(rest.slice(4));
    expect(probe?.[0]).toBe('node');
    expect(probe?.join(' ')).toContain('/healthz');
    expect(probe?.join(' ')).not.toMatch(/\bcurl\b|\bwget\b/);

    const cmd = lastOf(finalStage, 'CMD');
    expect(cmd).toBeDefined();
    expect(execForm((cmd as Instruction).args)).toEqual(['node', 'dist/main.js']); // exec form: SIGTERM reaches node
    expect((cmd as Instruction).args).not.toMatch(/\bnpm\b/);
    expect(lastOf(finalStage, 'ENTRYPOINT')).toBeUndefined();
  });

  it('copies into the runtime stage only what runs, and the build context holds every file the build copies', () => {
    const layout = runtimeLayout();
    expect(layout.map((l) => l.dest).sort()).toEqual(['config', 'dist', 'node_modules', 'package.json', 'web/dist']);
    const deps = layout.find((l) => l.dest === 'node_modules');
    const depsStage = dockerfile.stages.find((s) => s.name === deps?.from);
    expect(depsStage?.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);

    // .dockerignore is an allowlist: `*`, then the paths the build needs
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    const fromContext = dockerfile.stages.flatMap((s) => copyLines(s).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    for (const source of fromContext) {
      const path = posix.normalize(source);
      expect(allowed.some((a) => path === a || path.startsWith(`${a}/`)) ? path : `${path} (excluded by .dockerignore)`).toBe(path);
      expect(existsSync(join(ROOT, path))).toBe(true);
    }
  });
});

describe('the runtime stage, reproduced (the image itself cannot be built here: no Docker engine, no Docker Hub)', () => {
  let app: string;
  let home: string;
  let child: ChildProcess | undefined;
  let output = '';
  let base = '';
  let before: string[] = [];
  let probe: string;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'slo-engine-image-'));
    home = mkdtempSync(join(tmpdir(), 'slo-engine-image-home-'));
    for (const { dest, from, source } of runtimeLayout()) {
      const origin = join(ROOT, source);
      if (!existsSync(origin)) throw new Error(`${source} is missing: run npm run build first (npm test does)`);
      mkdirSync(dirname(join(app, dest)), { recursive: true });
      if (dest === 'node_modules') {
        expect(from).not.toBe('context');
        symlinkSync(origin, join(app, dest), 'dir'); // see the note at the top: not production-only
      } else {
        cpSync(origin, join(app, dest), { recursive: true });
      }
    }
    before = listFiles(app, ['node_modules']);

    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: home, HOST: '127.0.0.1' };
    for (const instruction of finalStage.instructions.filter((i) => i.keyword === 'ENV')) {
      for (const [, key, value] of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)) env[key] = value;
    }
    const port = await freePort();
    env.PORT = String(port);
    base = `http://127.0.0.1:${port}`;
    const [command, ...args] = execForm((lastOf(finalStage, 'CMD') as Instruction).args) as string[];
    expect(command).toBe('node');
    // a preload that lists, at exit, every CommonJS module the service loaded (outside the app's directory)
    probe = mkdtempSync(join(tmpdir(), 'slo-engine-image-probe-'));
    writeFileSync(
      join(probe, 'loaded.js'),
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(probe, 'loaded.json'))}, JSON.stringify(Object.keys(require.cache))));\n`,
    );
    child = spawn(process.execPath, ['--require', join(probe, 'loaded.js'), ...args], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] }); // app = the WORKDIR
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }, 30_000);

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    rmSync(probe, { recursive: true, force: true });
  });

  async function waitFor(path: string, status: number): Promise<Response> {
    const deadline = Date.now() + 20_000;
    let last = 'no answer';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(base + path);
        last = `HTTP ${response.status}`;
        if (response.status === status) return response;
      } catch (error) {
        last = (error as Error).message;
      }
      if (child?.exitCode !== null) throw new Error(`the service exited (${String(child?.exitCode)}):\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${path} did not answer ${status} (last: ${last})\n${output}`);
  }

  it('starts from the copied paths alone: /healthz, then /readyz, the board and its bundle, the bundled config', async () => {
    await waitFor('/healthz', 200);
    await waitFor('/readyz', 200);
    const bundle = await waitFor('/assets/board.js', 200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(1000);
    await waitFor('/assets/board.css', 200);
    await waitFor('/', 200);
    // the config is the copy in the image's config/ (CONFIG_FILE unset), not the repository's
    expect(output).toContain(join(app, 'config', 'example.yaml'));
    expect(output).not.toMatch(/the board is not built/);
  }, 30_000);

  it("the image's HEALTHCHECK command passes against it, and fails where nothing answers", async () => {
    const { rest } = splitFlags((lastOf(finalStage, 'HEALTHCHECK') as Instruction).args);
    const [command, ...args] = execForm(rest.slice(4)) as string[];
    expect(command).toBe('node');
    const run = (port: string) =>
      new Promise<number | null>((resolve) => {
        const probe = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', PORT: port }, stdio: 'ignore' });
        probe.on('exit', (code) => resolve(code));
      });
    expect(await run(new URL(base).port)).toBe(0);
    expect(await run(String(await freePort()))).toBe(1);
  }, 20_000);

  it('serves every slo_engine_* metric that deploy/prometheus/slo-engine-rules.yml uses', async () => {
    const rules = readFileSync(join(PROMETHEUS_DIR, 'slo-engine-rules.yml'), 'utf8');
    const used = [...new Set([...rules.matchAll(/\bslo_engine_[a-z_]+/g)].map((m) => m[0]))];
    expect(used.length).toBeGreaterThan(0);
    const metrics = await (await waitFor('/metrics', 200)).text();
    for (const name of used) expect(metrics.includes(`# TYPE ${name} `) ? name : `${name} (not in /metrics)`).toBe(name);
  });

  it('writes nothing to disk (readOnlyRootFilesystem) and exits 0 within 10 s of SIGTERM', async () => {
    if (!child || child.exitCode !== null) throw new Error(`the service is not running:\n${output}`);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    const started = Date.now();
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(SIGTERM_EXIT_SECONDS * 1000);
    expect(listFiles(app, ['node_modules'])).toEqual(before);
    expect(readdirSync(home)).toEqual([]); // HOME and TMPDIR
  }, 20_000);

  it('loaded no package that the production install (npm ci --omit=dev) leaves out', () => {
    // node_modules here is the full install (see the top of this file); instead, every package the
    // service loaded while it ran the tests above must be one package-lock.json does not mark dev-only
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const list = join(probe, 'loaded.json');
    if (!existsSync(list)) throw new Error('no list of loaded modules: this test reads what the SIGTERM test above leaves');
    const loaded = JSON.parse(readFileSync(list, 'utf8')) as string[];
    const packages = new Set(
      loaded.flatMap((file) => {
        const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(relative(ROOT, file).split('\\').join('/'));
        return m ? [m[1]] : [];
      }),
    );
    expect(packages.size).toBeGreaterThan(20);
    for (const name of packages) {
      expect(lock.packages[name] ? name : `${name} (not in package-lock.json)`).toBe(name);
      expect(lock.packages[name]?.dev ? `${name} (devDependency)` : name).toBe(name);
    }
  }, 20_000);
});
