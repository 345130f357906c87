import type { AddressInfo } from 'node:net';
import { TOKENS } from './configs';
import { freePort } from './free-port';
import { startTestApp, TestApp } from './test-app';
import { CHANGE_TYPES, type ChangeType } from '../../src/policies/domain/gate-matrix';

/**
 * The service the board's browser tests load: the real app (test-app.ts, in-memory state) listening
 * on a loopback port, with data that looks like a week of a small company's production and is the
 * same on every run (only its anchor, the time the fixture starts, moves):
 *
 * - checkout (the deploy, the freeze, the correction, a resolved incident with its postmortem):
 *   - `checkout-availability` 99.9% / 30d, events, three days of good traffic; a deploy (v1.42.0)
 *     2 h ago, then two minutes of 100% errors 100 min ago → a page, a resolved incident that cost
 *     ~45% of the budget, its postmortem written; its `description` holds HTML that must stay text;
 *   - `checkout-latency` 99% / 7d, events, good traffic;
 *   - a correction last night (20 h ago, 2 h of planned DB maintenance), a freeze active now.
 * - search: `search-availability` 99.5% / 30d, a week of traffic with an error hour six days ago
 *   that spent ~85% of the budget → freeze zone, no alert (the errors are out of every rule window).
 * - catalog: `catalog-availability` 99% / 7d, a slow steady burn (0.6% errors, burn rate 0.6) →
 *   caution zone, no alert.
 * - payments: `payments-api` 99% / 1d with short rules (page 10× over 10m/1m), 100% errors for the
 *   last 4 minutes → the page fires, an incident is open (the zone is still normal: the paging
 *   service is not the worst zone, so "paging first" on the wall screen is its own rule); an
 *   override is active.
 *
 * The app's clock is a manual clock anchored at the real time: the scenario is played at 30 s
 * cycles up to "now", and `sync()` moves the clock to the real time again (so the browser's
 * `Date.now()` and the service agree while the tests run).
 */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const HTML_DESCRIPTION = 'Checkout requests succeed <img src=x onerror=alert(1)><b>bold</b>';

export const IDS = {
  htmlSlo: 'checkout-availability',
  eventsSlo: 'checkout-availability',
  latencySlo: 'checkout-latency',
  freezeSlo: 'search-availability',
  cautionSlo: 'catalog-availability',
  burningSlo: 'payments-api',
  services: ['checkout', 'search', 'catalog', 'payments'],
  deployVersion: 'v1.42.0',
  freezeReason: 'holiday sales freeze',
  overrideReason: 'hotfix rollout approved by the incident commander',
  correctionReason: 'planned DB maintenance',
} as const;

export { CHANGE_TYPES };

/** The expected gate of checkout now: its SLOs are normal, but a freeze window is active (SPEC §7: it denies all but rollback and security). */
export const CHECKOUT_GATE: Record<ChangeType, 'allow' | 'deny'> = {
  feature: 'deny',
  fix: 'deny',
  rollback: 'allow',
  security: 'allow',
  'db-migration': 'deny',
  infra: 'deny',
};

export function boardConfig(options: { publicRead: boolean }): string {
  return `slos:
  - id: checkout-availability
    service: checkout
    team: payments
    description: ${JSON.stringify(HTML_DESCRIPTION)}
    objective: 99.9
    window: 30d
    sli: { source: events }
    runbook: https://wiki.example/runbooks/checkout
    labels: { tier: "1" }
  - id: checkout-latency
    service: checkout
    team: payments
    description: Checkout answers within 300 ms
    objective: 99
    window: 7d
    sli: { source: events }
    labels: { tier: "1" }
  - id: search-availability
    service: search
    team: discovery
    description: Search answers without error
    objective: 99.5
    window: 30d
    sli: { source: events }
    labels: { tier: "2" }
  - id: catalog-availability
    service: catalog
    team: discovery
    description: Catalog pages load
    objective: 99
    window: 7d
    sli: { source: events }
    labels: { tier: "2" }
  - id: payments-api
    service: payments
    team: payments
    description: Payment API calls succeed
    objective: 99
    window: 1d
    sli: { source: events }
    labels: { tier: "1" }
    alerting:
      rules:
        - { severity: page, burnRate: 10, long: 10m, short: 1m }
        - { severity: ticket, burnRate: 2, long: 1h, short: 5m }
policy:
  zones: { caution: 0.5, freeze: 0.25 }
notifiers:
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [log]
auth:
  publicRead: ${options.publicRead}
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 30s
`;
}

export interface BoardFixture {
  t: TestApp;
  /** http://127.0.0.1:PORT */
  base: string;
  /** the real time the scenario ends at (its "now") */
  endMs: number;
  /** the incidents: the resolved one of checkout (postmortem written) and the open one of payments */
  incidents: { resolved: any; open: any };
  /** moves the app's clock to the real time and runs a cycle */
  sync(): Promise<void>;
  close(): Promise<void>;
}

type Event = { slo: string; good: number; total: number; timestamp: string };

/** POST /v1/events in batches of 10,000. */
export async function ingest(t: TestApp, events: Event[]): Promise<void> {
  for (let i = 0; i < events.length; i += 10_000) {
    const response = await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: events.slice(i, i + 10_000) } });
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  }
}

/** One event per step in [from, to). */
export function steady(slo: string, fromMs: number, toMs: number, stepMs: number, good: number, total: number): Event[] {
  const out: Event[] = [];
  for (let at = fromMs; at < toMs; at += stepMs) out.push({ slo, good, total, timestamp: new Date(at).toISOString() });
  return out;
}

async function expectStatus(what: string, promise: Promise<{ status: number; body: any }>, status: number): Promise<any> {
  const answer = await promise;
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer.body;
}

/** Listens on a free loopback port; returns the base URL. */
export async function listen(t: TestApp): Promise<string> {
  const port = await freePort();
  await t.app.listen(port, '127.0.0.1');
  const address = t.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/**
 * The full scenario (a few seconds). `light: true` plays only the traffic and one cycle (no
 * incident, no policy records): enough for a page with data, for the auth tests.
 */
export async function startBoardFixture(options: { publicRead?: boolean; light?: boolean } = {}): Promise<BoardFixture> {
  const END = Date.now();
  const START = END - 2 * HOUR - 15 * MINUTE;
  const t = await startTestApp(boardConfig({ publicRead: options.publicRead ?? true }), { nowMs: START });
  try {
    const admin = (method: 'POST' | 'PUT', url: string, body: unknown, status: number) => expectStatus(`${method} ${url}`, t.request({ method, url, token: TOKENS.admin, body }), status);

    // history before the scenario: minute steps
    await ingest(t, [
      ...steady('checkout-availability', END - 3 * DAY, START, MINUTE, 600, 600),
      ...steady('checkout-latency', END - 3 * DAY, START, MINUTE, 599, 600),
      ...steady('search-availability', END - 7 * DAY, START, MINUTE, 100, 100),
      // one bad hour six days ago (~85% of a 99.5% / 30d budget: freeze zone), out of every rule window now
      ...steady('search-availability', END - 6 * DAY + 30 * SECOND, END - 6 * DAY + HOUR, MINUTE, 0, 72),
      // a slow steady burn (0.6% errors on a 99% SLO: burn rate 0.6, no rule holds): caution zone
      ...steady('catalog-availability', END - 7 * DAY, START, MINUTE, 994, 1000),
      ...steady('payments-api', END - DAY + HOUR, START, MINUTE, 600, 600),
    ]);

    if (options.light) {
      t.clock.set(END);
      await ingest(t, [
        ...steady('checkout-availability', START, END, 10 * SECOND, 100, 100),
        ...steady('checkout-latency', START, END, MINUTE, 599, 600),
        ...steady('search-availability', START, END, MINUTE, 100, 100),
        ...steady('catalog-availability', START, END, MINUTE, 994, 1000),
        ...steady('payments-api', START, END, MINUTE, 600, 600),
      ]);
      t.clock.set(END);
      await t.evaluate();
    } else {
      await playScenario(t, START, END, admin);
    }

    const base = await listen(t);
    const list = (await expectStatus('GET /v1/incidents', t.request({ url: '/v1/incidents', token: TOKENS.reader }), 200)).incidents as any[];
    const fixture: BoardFixture = {
      t,
      base,
      endMs: END,
      incidents: { resolved: list.find((i) => i.state === 'resolved') ?? null, open: list.find((i) => i.state === 'open') ?? null },
      sync: async () => {
        t.clock.set(Math.max(t.clock.now(), Date.now()));
        await t.evaluate();
      },
      close: () => t.close(),
    };
    return fixture;
  } catch (error) {
    await t.close();
    throw error;
  }
}

type Admin = (method: 'POST' | 'PUT', url: string, body: unknown, status: number) => Promise<any>;

async function playScenario(t: TestApp, START: number, END: number, admin: Admin): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const DEPLOY_AT = END - 2 * HOUR;
  const CHECKOUT_ONSET = END - 100 * MINUTE;
  const CHECKOUT_ERRORS_FOR = 2 * MINUTE;
  const POSTMORTEM_AT = END - 60 * MINUTE;
  const FREEZE_CREATED_AT = END - 45 * MINUTE;
  const DENIED_AT = END - 20 * MINUTE;
  const PAYMENTS_ONSET = END - 4 * MINUTE;

  // the correction, created after the fact (last night's maintenance)
  await admin('POST', '/v1/corrections', { service: 'checkout', start: iso(END - 20 * HOUR), duration: '2h', reason: IDS.correctionReason }, 201);

  let pushedUntil = START;
  const steps: Array<[number, () => Promise<void>]> = [
    [
      DEPLOY_AT,
      async () => {
        const decision = await expectStatus(
          'deploy',
          t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout', changeType: 'feature', version: IDS.deployVersion, environment: 'production', requestedBy: 'ci-pipeline' } }),
          200,
        );
        if (decision.decision !== 'allow') throw new Error(`the deploy was denied: ${JSON.stringify(decision)}`);
      },
    ],
    [
      POSTMORTEM_AT,
      async () => {
        const incidents = (await expectStatus('incidents', t.request({ url: '/v1/incidents?service=checkout', token: TOKENS.reader }), 200)).incidents;
        const resolved = incidents.find((i: any) => i.state === 'resolved');
        if (!resolved) throw new Error(`no resolved checkout incident by the postmortem time: ${JSON.stringify(incidents)}`);
        await admin(
          'PUT',
          `/v1/incidents/${resolved.id}/postmortem`,
          {
            url: 'https://wiki.example/postmortems/checkout-config-push',
            summary: 'A bad config push in v1.42.0 made every checkout fail for two minutes.',
            actionItems: [
              { title: 'validate config pushes in CI', owner: 'jane', dueAt: iso(END + 7 * DAY), category: 'prevention', done: false },
              { title: 'one-click config rollback', owner: 'li', dueAt: iso(END + 3 * DAY), category: 'mitigation', done: true },
            ],
          },
          200,
        );
      },
    ],
    [
      FREEZE_CREATED_AT,
      async () => {
        await admin('POST', '/v1/freezes', { service: 'checkout', start: iso(END - 30 * MINUTE), end: iso(END + 6 * HOUR), reason: IDS.freezeReason }, 201);
        await admin('POST', '/v1/overrides', { service: 'payments', reason: IDS.overrideReason, expiresAt: iso(END + 4 * HOUR), approvedBy: 'omar' }, 201);
      },
    ],
    [
      DENIED_AT,
      async () => {
        const decision = await expectStatus(
          'gate in freeze',
          t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service: 'checkout', changeType: 'feature', version: 'v1.43.0', environment: 'production', requestedBy: 'ci-pipeline' } }),
          200,
        );
        if (decision.decision !== 'deny') throw new Error(`the gate allowed in a freeze: ${JSON.stringify(decision)}`);
      },
    ],
  ];

  // 30 s cycles from START to END; traffic at 10 s steps in between (errors during the two onsets)
  for (let at = START + 30 * SECOND; at <= END; at += 30 * SECOND) {
    const events: Event[] = [];
    for (let ts = pushedUntil; ts < at; ts += 10 * SECOND) {
      const stamp = iso(ts);
      const checkoutBad = ts >= CHECKOUT_ONSET && ts < CHECKOUT_ONSET + CHECKOUT_ERRORS_FOR;
      events.push({ slo: 'checkout-availability', good: checkoutBad ? 0 : 100, total: 100, timestamp: stamp });
      events.push({ slo: 'payments-api', good: ts >= PAYMENTS_ONSET ? 0 : 100, total: 100, timestamp: stamp });
      if ((ts - START) % MINUTE === 0) {
        events.push({ slo: 'checkout-latency', good: 599, total: 600, timestamp: stamp });
        events.push({ slo: 'search-availability', good: 100, total: 100, timestamp: stamp });
        events.push({ slo: 'catalog-availability', good: 994, total: 1000, timestamp: stamp });
      }
    }
    pushedUntil = at;
    t.clock.set(at);
    await ingest(t, events);
    while (steps.length > 0 && steps[0][0] <= at) await steps.shift()![1]();
    await t.evaluate();
  }
  if (steps.length > 0) throw new Error('scenario steps left unplayed');
}

/**
 * Starts the fixture and the browser side by side; when either fails, the other is still handed
 * back (through `keep`) so that afterAll closes it, and the first error is thrown.
 */
export async function startBoth<A, B>(a: () => Promise<A>, b: () => Promise<B>, keep: (a: A | undefined, b: B | undefined) => void): Promise<void> {
  const [ra, rb] = await Promise.allSettled([a(), b()]);
  keep(ra.status === 'fulfilled' ? ra.value : undefined, rb.status === 'fulfilled' ? rb.value : undefined);
  for (const r of [ra, rb]) if (r.status === 'rejected') throw r.reason;
}
