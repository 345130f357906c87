import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../helpers/free-port';
import { StateExportSchema } from '../../src/admin/admin-api.schema';
import { CorrectionInputSchema } from '../../src/config/corrections.schema';

/**
 * `npm run demo` (SPEC §9, docs/demo.md): the plan of scripts/demo/ checked with SPEC §4's
 * formulas (the engine's, compiled in dist/: scripts/demo/engine.js), then one real run of
 * scripts/demo.js (the service on the bundled example, a shortened evaluation interval) until the
 * board's API shows every scenario.
 */

const ROOT = join(__dirname, '..', '..');

interface DemoEvent {
  slo: string;
  good: number;
  total: number;
  timestamp: string;
}
interface Rule {
  severity: 'page' | 'ticket';
  burnRate: number;
  long: string;
  short: string;
}
interface PlanSlo {
  id: string;
  service: string;
  objective: number;
  window: string;
  windowMs: number;
  rules: Rule[];
  minEvents: number;
}
interface Plan {
  t0: number;
  slos: PlanSlo[];
  zones: { caution: number; freeze: number };
  postmortems: { budgetThreshold: number; dueMs: number };
  correction: { service: string; startMs: number; endMs: number; reason: string };
  pastDeploys: Array<{ service: string; version: string; atMs: number }>;
  liveGate: Array<{ service: string; changeType: string; version: string }>;
}
type Index = unknown;
interface Period {
  firedAtMs: number;
  resolvedAtMs: number | null;
  rule: Rule;
}
interface DemoTraffic {
  MAX_BATCH: number;
  LIVE_BURN_MS: number;
  demoPlan(t0: number): Plan;
  backfillEvents(plan: Plan): DemoEvent[];
  liveCarry(plan: Plan): unknown;
  liveEvents(plan: Plan, fromMs: number, toMs: number, carry: unknown): DemoEvent[];
  batches(events: DemoEvent[], size?: number): DemoEvent[][];
  countIndex(plan: Plan, events: DemoEvent[]): Index;
  remainingAt(plan: Plan, index: Index, slo: string, atMs: number): number;
  burnRateAt(plan: Plan, index: Index, slo: string, window: string, atMs: number): number;
  zoneOf(remaining: number): string;
  serviceZoneAt(plan: Plan, index: Index, service: string, atMs: number): string;
  ruleHolds(plan: Plan, index: Index, slo: string, rule: Rule, atMs: number): boolean;
  replayAlert(plan: Plan, index: Index, slo: string, severity: 'page' | 'ticket', fromMs: number, toMs: number, stepMs?: number): Period[];
  stateExport(plan: Plan, events: DemoEvent[]): ReturnType<typeof StateExportSchema.parse>;
  correctionRequest(plan: Plan): Record<string, unknown>;
}

// scripts/demo/ runs on the engine's compiled code: build first when dist/ is missing, as `npm run demo` does
if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-if-needed.js')], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (build.status !== 0) throw new Error('the build failed');
}
// plain CommonJS (no types): the shape above is what the test relies on
const traffic = require('../../scripts/demo/index') as DemoTraffic;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK = 5_000;
const PAGE_14_4: Rule = { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' };
const PAGE_6: Rule = { severity: 'page', burnRate: 6, long: '6h', short: '30m' };

/** Backfill plus live ticks of 5 s from t0 until `untilMs`, as scripts/demo.js sends them. */
function withLive(plan: Plan, backfill: DemoEvent[], untilMs: number): DemoEvent[] {
  const carry = traffic.liveCarry(plan);
  const events = [...backfill];
  for (let t = plan.t0; t < untilMs; t += TICK) events.push(...traffic.liveEvents(plan, t, t + TICK, carry));
  return events;
}

describe('npm run demo: the traffic plan', () => {
  it('plans the SLOs of config/example.yaml, with their rules', () => {
    const config = parse(readFileSync(join(ROOT, 'config', 'example.yaml'), 'utf8')) as {
      slos: Array<{ id: string; service: string; objective: number; window: string; sli: { source: string }; alerting?: { minEvents?: number; rules?: Rule[] } }>;
      policy: { zones: { caution: number; freeze: number }; postmortems?: unknown };
    };
    const plan = traffic.demoPlan(Date.UTC(2026, 10, 21, 10));
    // the thresholds are the example's (read through the engine's loader): policy.zones as written, policy.postmortems' defaults
    expect(plan.zones).toEqual(config.policy.zones);
    expect(config.policy.postmortems).toBeUndefined();
    expect(plan.postmortems).toMatchObject({ budgetThreshold: 0.2, dueMs: 48 * HOUR });
    expect(plan.slos.map((s) => s.id)).toEqual(config.slos.map((s) => s.id));
    for (const slo of config.slos) {
      const planned = plan.slos.find((s) => s.id === slo.id)!;
      expect(slo.sli.source).toBe('events');
      expect({ service: planned.service, objective: planned.objective, window: planned.window }).toEqual({ service: slo.service, objective: slo.objective, window: slo.window });
      expect(planned.minEvents).toBe(slo.alerting?.minEvents ?? 0);
      if (slo.alerting?.rules) expect(planned.rules).toEqual(slo.alerting.rules);
      else expect(planned.rules.map((r) => `${r.severity} ${r.burnRate} ${r.long}/${r.short}`)).toEqual(['page 14.4 1h/5m', 'page 6 6h/30m', 'ticket 3 1d/2h', 'ticket 1 3d/6h']);
    }
  });

  it('backfills with valid events inside each SLO window, before the start, in batches of at most 10,000', () => {
    const t0 = Date.UTC(2026, 10, 21, 10, 17, 23, 456);
    const plan = traffic.demoPlan(t0);
    const events = traffic.backfillEvents(plan);
    expect(events.length).toBeGreaterThan(10_000);
    expect(events.length).toBeLessThan(40_000); // a few seconds of ingest
    const windowMs = new Map(plan.slos.map((s) => [s.id, s.windowMs]));
    const bad = events.filter((e) => {
      const ms = Date.parse(e.timestamp);
      const counts = Number.isInteger(e.good) && Number.isInteger(e.total) && e.good >= 0 && e.total > 0 && e.good <= e.total;
      return !counts || !e.timestamp.endsWith('Z') || !(ms < t0) || !(ms > t0 - windowMs.get(e.slo)!);
    });
    expect(bad).toEqual([]);
    // every SLO's window is covered from its start (10 min slices) to the last minute (1 min slices)
    for (const slo of plan.slos) {
      const times = events.filter((e) => e.slo === slo.id).map((e) => Date.parse(e.timestamp));
      expect(Math.min(...times)).toBeLessThan(t0 - slo.windowMs + 30 * MINUTE);
      expect(Math.max(...times)).toBeGreaterThan(t0 - MINUTE);
    }
    const batches = traffic.batches(events);
    expect(batches.every((b) => b.length >= 1 && b.length <= traffic.MAX_BATCH)).toBe(true);
    expect(batches.flat()).toEqual(events);
  });

  it('is the same plan for the same start', () => {
    const t0 = Date.UTC(2026, 10, 21, 10, 17);
    expect(traffic.backfillEvents(traffic.demoPlan(t0))).toEqual(traffic.backfillEvents(traffic.demoPlan(t0)));
  });

  // the start's hour of day changes the traffic shape under the windows: the scenarios hold whatever it is
  describe.each([0, 5.5, 11.25, 15, 19.75, 23.9])('started at %s h UTC', (hour) => {
    const t0 = Date.UTC(2026, 10, 21) + hour * HOUR + 1_234;
    const plan = traffic.demoPlan(t0);
    const backfill = traffic.backfillEvents(plan);
    const index = traffic.countIndex(plan, backfill);
    const later = traffic.countIndex(plan, withLive(plan, backfill, t0 + HOUR));

    it('checkout is healthy: every SLO in the normal zone, at the start and after an hour of live traffic', () => {
      for (const [idx, at] of [[index, t0], [later, t0 + HOUR]] as const) {
        for (const slo of ['checkout-availability', 'checkout-latency']) {
          const remaining = traffic.remainingAt(plan, idx, slo, at);
          expect(remaining).toBeGreaterThan(0.6);
          expect(traffic.zoneOf(remaining)).toBe('normal');
        }
        expect(traffic.serviceZoneAt(plan, idx, 'checkout', at)).toBe('normal');
        expect(traffic.replayAlert(plan, idx, 'checkout-availability', 'page', at - HOUR, at, 5 * MINUTE)).toEqual([]);
      }
    });

    it('search is in caution: its bad days leave search-availability between 25% and 50% of its budget', () => {
      for (const [idx, at] of [[index, t0], [later, t0 + HOUR]] as const) {
        const remaining = traffic.remainingAt(plan, idx, 'search-availability', at);
        expect(remaining).toBeGreaterThanOrEqual(0.3); // margins to both zone edges (0.25, 0.5)
        expect(remaining).toBeLessThanOrEqual(0.45);
        expect(traffic.zoneOf(traffic.remainingAt(plan, idx, 'search-latency', at))).toBe('normal');
        expect(traffic.serviceZoneAt(plan, idx, 'search', at)).toBe('caution');
        // no page now: the bad days are over
        expect(traffic.ruleHolds(plan, idx, 'search-availability', PAGE_14_4, at)).toBe(false);
      }
    });

    it('payments-api is just under the 14.4× 1h/5m page at the start, and live traffic makes it hold within a minute, without flapping', () => {
      const slo = 'payments-api-availability';
      const burn1h = traffic.burnRateAt(plan, index, slo, '1h', t0);
      expect(burn1h).toBeGreaterThan(12.5);
      expect(burn1h).toBeLessThan(14.1); // the engine's window edges may add a little: not at the first evaluation
      expect(traffic.burnRateAt(plan, index, slo, '5m', t0)).toBeGreaterThan(14.4);
      expect(traffic.ruleHolds(plan, index, slo, PAGE_6, t0)).toBe(false);

      const live = traffic.countIndex(plan, withLive(plan, backfill, t0 + 15 * MINUTE));
      const periods = traffic.replayAlert(plan, live, slo, 'page', t0, t0 + 15 * MINUTE, TICK);
      expect(periods).toHaveLength(1); // fires once and keeps firing
      expect(periods[0].rule).toEqual(PAGE_14_4);
      expect(periods[0].firedAtMs - t0).toBeLessThanOrEqual(MINUTE);
      expect(periods[0].resolvedAtMs).toBeNull();
    });

    it('payments-api recovers once the live burn ends, and stays out of freeze', () => {
      const slo = 'payments-api-availability';
      const end = t0 + traffic.LIVE_BURN_MS + 2 * HOUR;
      const live = traffic.countIndex(plan, withLive(plan, backfill, end));
      const [page, ...more] = traffic.replayAlert(plan, live, slo, 'page', t0, end, MINUTE);
      expect(more).toEqual([]);
      expect(page.resolvedAtMs).not.toBeNull();
      expect(page.resolvedAtMs! - t0).toBeLessThan(traffic.LIVE_BURN_MS + 45 * MINUTE);
      expect(traffic.zoneOf(traffic.remainingAt(plan, live, slo, end))).toBe('normal');
    });

    it('imports a resolved incident of search with its postmortem, replayed from the planned events, and past deploys', () => {
      const exported = traffic.stateExport(plan, backfill);
      expect(() => StateExportSchema.parse(exported)).not.toThrow();
      const [incident] = exported.incidents!;
      expect(incident).toMatchObject({ service: 'search', state: 'resolved', zoneAtOpen: 'normal' });
      const detected = Date.parse(incident.detectedAt);
      const resolved = Date.parse(incident.resolvedAt!);
      expect(t0 - detected).toBeGreaterThan(2 * DAY);
      expect(t0 - detected).toBeLessThan(4 * DAY);
      expect(resolved - detected).toBeGreaterThanOrEqual(30 * MINUTE);
      expect(resolved - detected).toBeLessThanOrEqual(90 * MINUTE);
      expect(incident.timeToDetect).toBeLessThan(15 * 60);
      expect(incident.pages).toEqual([{ slo: 'search-availability', rule: PAGE_14_4, firedAt: incident.detectedAt, resolvedAt: incident.resolvedAt }]);
      // the plan's events agree: the page holds at detection, not 30 s before nor at the resolve
      expect(traffic.ruleHolds(plan, index, 'search-availability', PAGE_14_4, detected)).toBe(true);
      expect(traffic.ruleHolds(plan, index, 'search-availability', PAGE_14_4, detected - 30_000)).toBe(false);
      expect(traffic.ruleHolds(plan, index, 'search-availability', PAGE_6, resolved)).toBe(false);
      const consumed = incident.slos[0].budgetConsumed!;
      expect(consumed).toBeCloseTo(traffic.remainingAt(plan, index, 'search-availability', Date.parse(incident.startedAt!)) - traffic.remainingAt(plan, index, 'search-availability', resolved), 10);
      expect(consumed).toBeGreaterThan(0.2); // policy.postmortems.budgetThreshold: a postmortem is required, and written
      expect(incident.postmortem).toMatchObject({ required: true, overdue: false, url: expect.stringMatching(/^https:\/\//) });
      expect(incident.postmortem.actionItems.length).toBeGreaterThan(0);
      expect(incident.timeline.map((t) => t.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^search zone: normal → caution$/)]));

      const services = new Set(exported.deploys.map((d) => d.service));
      expect([...services].sort()).toEqual(['checkout', 'payments-api', 'search']);
      expect(exported.deploys.every((d) => Date.parse(d.at) < t0)).toBe(true);
      expect(exported.audit.decisions.map((d) => d.decisionId)).toEqual(exported.deploys.map((d) => d.decisionId));
    });

    it('corrects a planned maintenance of search two days ago, whose errors the budget then leaves out', () => {
      const body = CorrectionInputSchema.parse(traffic.correctionRequest(plan));
      expect(body.service).toBe('search');
      expect(t0 - body.startMs).toBeGreaterThan(DAY);
      expect(t0 - body.startMs).toBeLessThan(3 * DAY);
      // the maintenance errors are in the backfill but not in the budget
      const inside = backfill.filter((e) => e.slo === 'search-availability' && Date.parse(e.timestamp) >= body.startMs && Date.parse(e.timestamp) < body.startMs + body.durationMs);
      expect(inside.reduce((bad, e) => bad + e.total - e.good, 0)).toBeGreaterThan(0);
      const uncorrected = traffic.countIndex({ ...plan, correction: { ...plan.correction, service: 'nobody' } }, backfill);
      expect(traffic.remainingAt(plan, uncorrected, 'search-availability', t0)).toBeLessThan(traffic.remainingAt(plan, index, 'search-availability', t0));
    });
  });
});

// ------------------------------------------------------------------------------------- one real run

const RUN_DEADLINE_MS = 90_000;

async function getJson(base: string, path: string): Promise<any> {
  const response = await fetch(base + path, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return response.json();
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('npm run demo: a run', () => {
  let demo: ChildProcess | null = null;
  let output = '';
  let base = '';
  let port = 0;
  let spawnedAt = 0;

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    spawnedAt = Date.now();
    // its own process group, so that afterAll can kill the demo and its service together whatever happens
    demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.js')], {
      cwd: ROOT,
      detached: true,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), EVALUATION_INTERVAL: '5s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }, 30_000);

  afterAll(async () => {
    if (!demo) return;
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      const stopped = await Promise.race([exitOf(demo), new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
      if (stopped === null) demo.kill('SIGKILL');
    }
    try {
      process.kill(-demo.pid!, 'SIGKILL'); // anything left of the group (the service)
    } catch {
      // the group is gone: nothing left behind
    }
  }, 30_000);

  it(
    'shows every scenario within 90 s: checkout normal with a deploy, search in caution with its past incident and a correction, a page of payments-api firing',
    async () => {
      const missing = new Set(['checkout normal', 'checkout deploy', 'search caution', 'search incident', 'correction', 'payments page']);
      let last = '';
      while (missing.size > 0 && Date.now() - spawnedAt < RUN_DEADLINE_MS) {
        if (demo!.exitCode !== null) throw new Error(`the demo exited (${demo!.exitCode}):\n${output}`);
        try {
          const checkout = await getJson(base, '/v1/services/checkout/budget');
          if (checkout.zone === 'normal') missing.delete('checkout normal');
          const versions = (checkout.deploys as Array<{ version: string }>).map((d) => d.version);
          if (versions.includes('3.9.0') && versions.includes('3.8.0')) missing.delete('checkout deploy');
          if ((await getJson(base, '/v1/services/search/budget')).zone === 'caution') missing.delete('search caution');
          const incidents = (await getJson(base, '/v1/incidents?service=search&state=resolved')).incidents;
          if (incidents.some((i: { postmortem: { url: string | null } }) => i.postmortem.url !== null)) missing.delete('search incident');
          const corrections = (await getJson(base, '/v1/corrections')).corrections;
          if (corrections.some((c: { service: string | null; source: string }) => c.service === 'search' && c.source === 'api')) missing.delete('correction');
          const alerts = (await getJson(base, '/v1/alerts')).alerts;
          if (alerts.some((a: { slo: string; severity: string; state: string }) => a.slo === 'payments-api-availability' && a.severity === 'page' && a.state === 'firing')) {
            missing.delete('payments page');
          }
        } catch (error) {
          last = (error as Error).message;
        }
        if (missing.size > 0) await new Promise((r) => setTimeout(r, 2_000));
      }
      if (missing.size > 0) throw new Error(`after ${RUN_DEADLINE_MS / 1000} s still missing: ${[...missing].join(', ')} (last error: ${last})\n${output}`);
      expect(output).toContain(`board: http://localhost:${port}/`);
    },
    RUN_DEADLINE_MS + 20_000,
  );

  it('stops the service and exits 0 on SIGTERM', async () => {
    demo!.kill('SIGTERM');
    const exit = await exitOf(demo!);
    expect(exit).toEqual({ code: 0, signal: null });
    await expect(fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 20_000);
});
