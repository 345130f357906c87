import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { TOKENS } from './configs';
import type { TestApp } from './test-app';
import type { LoopbackReceiver, ReceivedRequest } from './receivers';

/** The routing key the alerting configs give PagerDuty (32 characters, as PagerDuty's are). */
export const ROUTING_KEY = 'R0UT1NGKEY0123456789012345678901';

/**
 * A config for alerting tests: `checkout-availability` (99.9% / 30d, default workbook rules) and
 * `search-fast` (99% / 1d, short custom rules so incidents start and end within minutes: at 100% errors
 * the page (10×/10m/1m) holds after 60 s, before the ticket (2×/1h/5m) at 72 s); pages go
 * to PagerDuty and Slack, tickets to Slack.
 */
export function alertingConfig(options: { pdUrl: string; slackUrl: string; extra?: string; server?: string; heartbeat?: string }): string {
  return `slos:
  - id: checkout-availability
    service: checkout
    team: payments
    description: Checkout requests succeed
    objective: 99.9
    window: 30d
    sli: { source: events }
    runbook: https://wiki.example/runbooks/checkout
    labels: { tier: "1" }
  - id: search-fast
    service: search
    objective: 99
    window: 1d
    sli: { source: events }
    alerting:
      rules:
        - { severity: page, burnRate: 10, long: 10m, short: 1m }
        - { severity: ticket, burnRate: 2, long: 1h, short: 5m }
${options.extra ?? ''}
notifiers:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${options.pdUrl}" }
  slack: { type: slack, webhookUrl: "${options.slackUrl}" }
routes:
  - match: { severity: page }
    notify: [pd, slack]
  - match: { severity: ticket }
    notify: [slack]
${options.heartbeat ?? ''}
auth:
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
server:
  evaluationInterval: 10s
  externalUrl: https://slo.example
${options.server ?? ''}`;
}

export interface Traffic {
  slo: string;
  fromMs: number;
  /** exclusive */
  toMs: number;
  stepMs: number;
  good: number;
  total: number;
}

/** Pushes one event per step in [from, to) through `POST /v1/events`, 10,000 per request. */
export async function pushTraffic(app: TestApp, traffic: Traffic): Promise<void> {
  let batch: Array<{ slo: string; good: number; total: number; timestamp: string }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const response = await app.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: { events: batch } });
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${JSON.stringify(response.body)}`);
    batch = [];
  };
  for (let t = traffic.fromMs; t < traffic.toMs; t += traffic.stepMs) {
    batch.push({ slo: traffic.slo, good: traffic.good, total: traffic.total, timestamp: new Date(t).toISOString() });
    if (batch.length === 10_000) await flush();
  }
  await flush();
}

/** One evaluation cycle at the clock's time, then everything the outbox holds that is due. */
export async function cycleAndDeliver(app: TestApp): Promise<void> {
  await app.evaluate();
  await app.app.get(DeliveryWorker).drain();
}

/**
 * An SLO's traffic that follows the manual clock: an hour of good traffic (10 events/s) before
 * `startMs`, then each `stepTo` pushes the seconds since the last step (`good` of 10 good) and runs
 * a cycle and a delivery round.
 */
export class ClockedTraffic {
  private pushedUntil: number;

  private constructor(
    private readonly app: TestApp,
    private readonly slo: string,
    startMs: number,
  ) {
    this.pushedUntil = startMs;
  }

  static async afterGoodHour(app: TestApp, slo: string, startMs: number): Promise<ClockedTraffic> {
    await pushTraffic(app, { slo, fromMs: startMs - 3_600_000, toMs: startMs, stepMs: 1_000, good: 10, total: 10 });
    return new ClockedTraffic(app, slo, startMs);
  }

  /** Moves the clock to `at`, pushing traffic for the time in between, then a cycle and a delivery round. */
  async stepTo(at: number, good: number): Promise<void> {
    this.app.clock.set(at);
    if (at > this.pushedUntil) await pushTraffic(this.app, { slo: this.slo, fromMs: this.pushedUntil, toMs: at, stepMs: 1_000, good, total: 10 });
    this.pushedUntil = Math.max(this.pushedUntil, at);
    await cycleAndDeliver(this.app);
  }
}

/** PagerDuty events accepted, as `action dedup_key`. */
export function pdEvents(pd: LoopbackReceiver): string[] {
  return pd.accepted().filter((r) => r.path === '/v2/enqueue').map((r) => `${r.body.event_action} ${r.body.dedup_key}`);
}

/** Slack messages accepted, by their fallback text. */
export function slackTexts(slack: LoopbackReceiver): string[] {
  return slack.accepted().map((r: ReceivedRequest) => String(r.body.text));
}
