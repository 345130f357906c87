import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, ServiceProcess } from '../helpers/service-process';
import { testConfig, TOKENS } from '../helpers/configs';

/** The built service as a process: bad config exit 1, SIGHUP reload, SIGTERM exit 0 (SPEC §2). */
describe('service process lifecycle', () => {
  let dir: string;
  let service: ServiceProcess | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slo-engine-proc-'));
  });
  afterEach(async () => {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    service = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const sloIds = async (s: ServiceProcess): Promise<string[]> => {
    const response = await fetch(`${s.base}/v1/slos`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
    const body = (await response.json()) as { slos: Array<{ slo: string }> };
    return body.slos.map((slo) => slo.slo);
  };

  it('refuses a bad config with exit code 1 and one line per problem naming file and path', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'slos:\n  - id: a\n    service: s\n    objective: 100\n    sli: { source: events }\n    colour: blue\n');
    service = await startService({ CONFIG_FILE: file });
    const { code } = await service.exited;
    expect(code).toBe(1);
    const lines = service.output().trim().split('\n');
    expect(lines.some((l) => l.includes(file) && l.includes('slos[0].objective'))).toBe(true);
    expect(lines.some((l) => l.includes(file) && l.includes('colour'))).toBe(true);
    expect((await fetch(`${service.base}/healthz`).catch(() => null)) ?? null).toBeNull();
  });

  it('starts on the bundled example config with no environment, and serves SLOs', async () => {
    service = await startService({});
    await service.waitFor('/readyz', 200);
    const response = await fetch(`${service.base}/v1/slos`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { slos: unknown[] };
    expect(body.slos.length).toBeGreaterThanOrEqual(3);
    expect(service.output()).toMatch(/development tokens/i);
    expect(service.output()).toMatch(/in memory/i);
  });

  it('reloads on SIGHUP atomically, keeps the old config when the new one is bad, exits 0 on SIGTERM', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, testConfig());
    service = await startService({ CONFIG_FILE: file });
    await service.waitFor('/readyz', 200);
    const before = await sloIds(service);
    expect(before).toHaveLength(3);

    writeFileSync(file, testConfig().replace('objective: 99.9', 'objective: 101'));
    service.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    expect(await sloIds(service)).toEqual(before);
    expect(service.output()).toMatch(/reload refused/);

    const extra = '  - { id: new-slo, service: checkout, objective: 99, sli: { source: events } }\n';
    writeFileSync(file, testConfig({ extraSlos: extra }));
    service.child.kill('SIGHUP');
    const deadline = Date.now() + 5_000;
    while ((await sloIds(service)).length !== 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await sloIds(service)).toContain('new-slo');

    const stopAt = Date.now();
    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    expect(code).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
  });

  it('never writes a token to its log', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, testConfig());
    service = await startService({ CONFIG_FILE: file, LOG_LEVEL: 'debug' });
    await service.waitFor('/readyz', 200);
    await fetch(`${service.base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ slo: 'checkout-availability', good: 1, total: 1 }] }),
    });
    await fetch(`${service.base}/v1/slos`, { headers: { authorization: 'Bearer not-a-real-token-xyz' } });
    service.child.kill('SIGTERM');
    await service.exited;
    for (const token of [...Object.values(TOKENS), 'not-a-real-token-xyz']) expect(service.output()).not.toContain(token);
  });
});
