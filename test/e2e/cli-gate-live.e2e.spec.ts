import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, ServiceProcess } from '../helpers/service-process';
import { TOKENS } from '../helpers/configs';
import { gateConfig, zoneEvents } from '../helpers/gate-config';

/** `slo-engine gate` against the real service process: the exit codes CI relies on (SPEC §10). */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

describe('slo-engine gate against the running service', () => {
  let dir: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slo-engine-gate-live-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, gateConfig());
    service = await startService({ CONFIG_FILE: file, EVALUATION_INTERVAL: '1s', LOG_LEVEL: 'warn' });
    await service.waitFor('/readyz', 200);
    const ingest = await fetch(`${service.base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify(zoneEvents(Date.now())),
    });
    expect(ingest.status).toBe(202);
    // wait for a cycle that saw the events
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(`${service.base}/v1/services/zone-exhausted/budget`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
      if (((await res.json()) as { zone: string }).zone === 'exhausted' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  afterAll(async () => {
    service.child.kill('SIGTERM');
    await service.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const gate = (...args: string[]) => {
    const result = spawnSync(process.execPath, [CLI, 'gate', '--url', service.base, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', SLO_ENGINE_TOKEN: TOKENS.ci },
    });
    return { code: result.status, out: result.stdout + result.stderr };
  };

  it('exits 0 on allow and 1 on deny, printing the reasons', () => {
    const allow = gate('--service', 'zone-normal', '--version', '1.0.0');
    expect(allow.code).toBe(0);
    expect(allow.out).toMatch(/ALLOW zone-normal feature/);
    const deny = gate('--service', 'zone-exhausted', '--change-type', 'feature');
    expect(deny.code).toBe(1);
    expect(deny.out).toMatch(/DENY zone-exhausted feature/);
    expect(deny.out).toContain('exhausted-slo');
    expect(gate('--service', 'zone-exhausted', '--change-type', 'rollback').code).toBe(0);
  });

  it('exits 3 when refused (unknown service, bad token) and never prints the token', () => {
    const unknown = gate('--service', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.out).toContain('unknown service');
    const badToken = gate('--service', 'zone-normal', '--token', 'not-the-token-123');
    expect(badToken.code).toBe(3);
    expect(badToken.out).not.toContain('not-the-token-123');
    expect(unknown.out).not.toContain(TOKENS.ci);
  });

  it('exits 2 when the engine cannot answer, 0 with --fail-open', () => {
    const down = spawnSync(process.execPath, [CLI, 'gate', '--url', 'http://127.0.0.1:9', '--service', 'zone-normal'], { encoding: 'utf8' });
    expect(down.status).toBe(2);
    const open = spawnSync(process.execPath, [CLI, 'gate', '--url', 'http://127.0.0.1:9', '--service', 'zone-normal', '--fail-open'], {
      encoding: 'utf8',
    });
    expect(open.status).toBe(0);
    expect(open.stderr).toMatch(/failing open/);
  });
});
