import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readiness } from '../../src/cycle/readiness';
import { DeployGateService } from '../../src/policies/deploy-gate.service';
import { startService, ServiceProcess } from '../helpers/service-process';
import { startTestApp } from '../helpers/test-app';
import { testConfig, TOKENS } from '../helpers/configs';

/**
 * SPEC §12 SIGTERM: new requests refused at once (503 in the error shape), the running cycle
 * finished or abandoned, exit 0 within 10 s, never a gate decision answered after SIGTERM. The
 * built service runs as a process, its first cycle held up for 4 s by a Prometheus that never
 * answers (the query timeout ends it; a cycle still running at the 9 s deadline is abandoned).
 */
describe('SIGTERM during a running cycle', () => {
  let dir: string;
  let service: ServiceProcess | null = null;
  let prometheus: Server;
  let queries = 0;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    prometheus = createServer((_request: IncomingMessage, response: ServerResponse) => {
      queries++;
      held.push(response); // never answered: the cycle waits for it
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const response of held) response.destroy();
    prometheus.closeAllConnections();
    await new Promise((resolve) => prometheus.close(resolve));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slo-engine-sigterm-'));
  });
  afterEach(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    service = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const gate = async (s: ServiceProcess): Promise<{ status: number; body: unknown } | { refused: string }> => {
    try {
      const response = await fetch(`${s.base}/v1/deploy-gate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.ci}`, 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'checkout' }),
      });
      return { status: response.status, body: await response.json() };
    } catch (error) {
      return { refused: (error as Error).message };
    }
  };

  it('refuses new requests at once (503, error shape), never answers the gate, and exits 0 within 10 s', async () => {
    const port = (prometheus.address() as AddressInfo).port;
    const extra = `  - id: catalog-latency
    service: catalog
    objective: 99
    window: 7d
    sli: { source: prometheus, goodQuery: 'sum(rate(good[{{window}}]))', totalQuery: 'sum(rate(total[{{window}}]))' }
sources:
  prometheus: { url: "http://127.0.0.1:${port}", timeout: 4s }
`;
    const file = join(dir, 'config.yaml');
    writeFileSync(file, testConfig({ extraSlos: extra }));
    service = await startService({ CONFIG_FILE: file });
    await service.waitFor('/healthz', 200);
    const deadline = Date.now() + 10_000;
    while (queries === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(queries).toBeGreaterThan(0); // the first cycle is running, held up by Prometheus
    const before = await gate(service);
    expect(before).toMatchObject({ status: 200 });

    const stopAt = Date.now();
    service.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50)); // the signal reaches the process
    const answers: Array<Awaited<ReturnType<typeof gate>>> = [];
    const others: number[] = [];
    while (service.child.exitCode === null && Date.now() - stopAt < 3_000) {
      answers.push(await gate(service));
      const read = await fetch(`${service.base}/v1/slos`, { headers: { authorization: `Bearer ${TOKENS.reader}` } }).then(
        (r) => r.status,
        () => 0,
      );
      others.push(read);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answers.length).toBeGreaterThan(5);
    for (const answer of answers) {
      if ('refused' in answer) continue; // connection refused is a refusal too
      expect(answer).toEqual({ status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: expect.any(String), details: [] } });
    }
    for (const status of others) expect([0, 503]).toContain(status);

    const { code } = await service.exited;
    expect(code).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
  }, 30_000);
});

describe('a gate decision in flight when SIGTERM arrives', () => {
  it('is answered 503, not with the decision; new requests are refused at once', async () => {
    const t = await startTestApp(testConfig());
    try {
      const readiness = t.app.get(Readiness);
      const gate = t.app.get(DeployGateService);
      const decide = gate.decide.bind(gate);
      // the signal arrives while the decision is being made
      jest.spyOn(gate, 'decide').mockImplementation(async (...args: Parameters<typeof gate.decide>) => {
        readiness.shuttingDown = true;
        return decide(...args);
      });
      const res = await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout' } });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), details: [] });
      expect(res.headers.connection).toBe('close');
      // and from now on every request is refused at once
      expect((await t.request({ url: '/healthz' })).status).toBe(503);
      expect((await t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout' } })).status).toBe(503);
    } finally {
      await t.close();
    }
  });
});
