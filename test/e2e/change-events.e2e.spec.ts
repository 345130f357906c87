import { PagerDutyChangeEvents } from '../../src/notifiers/drivers/pagerduty-change-events';
import { LoopbackReceiver, startPagerDutyReceiver } from '../helpers/receivers';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';
import { gateConfig, zoneEvents } from '../helpers/gate-config';

/**
 * PagerDuty change events (SPEC §6): allowed deploys with a version and overrides are sent to
 * `/v2/change/enqueue` on the notifier's host, in the Change Events API v2 shape; retried on 5xx,
 * not on 400; the routing key never leaves the service except towards PagerDuty. The loopback
 * PagerDuty checks every request against the Change Events API as well.
 */
const ROUTING_KEY = 'R0UT1NGKEY0123456789012345678901'; // the key gateConfig configures
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('PagerDuty change events', () => {
  let pd: LoopbackReceiver;
  let t: TestApp;
  let publisher: PagerDutyChangeEvents;

  beforeAll(async () => {
    pd = await startPagerDutyReceiver();
  });
  afterAll(async () => {
    await pd.close();
  });
  beforeEach(async () => {
    pd.reset();
    t = await startTestApp(gateConfig({ pagerdutyUrl: pd.url }));
    publisher = t.app.get(PagerDutyChangeEvents);
    publisher.retryBaseMs = 10;
    expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(t.clock.now()) })).status).toBe(202);
    await t.evaluate();
  });
  afterEach(async () => {
    await publisher.idle();
    await t.close();
    expect(pd.problems).toEqual([]);
  });

  const gate = (body: Record<string, unknown>) => t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body });
  const createOverride = (body: Record<string, unknown> = {}) =>
    t.request({
      method: 'POST',
      url: '/v1/overrides',
      token: TOKENS.admin,
      body: {
        service: 'zone-exhausted',
        reason: 'incident 4411 hotfix',
        expiresAt: new Date(t.clock.now() + 600_000).toISOString(),
        approvedBy: 'jane.doe',
        ...body,
      },
    });

  /** the Change Events API v2 body: exactly these fields, of these types */
  function expectChangeEventShape(body: any): void {
    expect(Object.keys(body).sort()).toEqual(['payload', 'routing_key']); // no event_action, no dedup_key: those are Events API fields
    expect(body.routing_key).toBe(ROUTING_KEY);
    expect(Object.keys(body.payload).sort()).toEqual(['custom_details', 'source', 'summary', 'timestamp']);
    expect(typeof body.payload.summary).toBe('string');
    expect(body.payload.summary.length).toBeGreaterThan(0);
    expect(body.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(body.payload.timestamp).toMatch(ISO_8601);
    expect(Number.isNaN(Date.parse(body.payload.timestamp))).toBe(false);
    expect(typeof body.payload.source).toBe('string');
    expect(body.payload.source.length).toBeGreaterThan(0);
    expect(body.payload.custom_details).toEqual(expect.any(Object));
  }

  it('sends one change event for an allowed deploy with a version, in the Change Events API v2 shape', async () => {
    const res = await gate({ service: 'zone-normal', changeType: 'feature', version: '1.4.2', environment: 'prod', requestedBy: 'pipeline-7' });
    expect(res.body.decision).toBe('allow');
    await publisher.idle();

    expect(pd.requests).toHaveLength(1);
    const [request] = pd.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/change/enqueue');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.headers.authorization).toBeUndefined(); // the routing key goes in the body only
    expectChangeEventShape(request.body);
    const { payload } = request.body;
    expect(payload.summary).toContain('zone-normal');
    expect(payload.summary).toContain('1.4.2');
    expect(payload.timestamp).toBe(new Date(t.clock.now()).toISOString());
    expect(payload.custom_details).toMatchObject({
      service: 'zone-normal',
      version: '1.4.2',
      changeType: 'feature',
      environment: 'prod',
      requestedBy: 'pipeline-7',
      decisionId: res.body.decisionId,
    });
  });

  it('sends nothing for a denied decision, nor for an allowed one without a version', async () => {
    const denied = await gate({ service: 'zone-exhausted', changeType: 'feature', version: '9.9.9' });
    expect(denied.body.decision).toBe('deny');
    const unversioned = await gate({ service: 'zone-normal', changeType: 'feature' });
    expect(unversioned.body.decision).toBe('allow');
    await publisher.idle();
    // a slow sender would be caught by a later look, too
    await new Promise((r) => setTimeout(r, 100));
    expect(pd.requests).toEqual([]);

    // the same receiver does get the allowed, versioned one: the silence above is not a broken setup
    await gate({ service: 'zone-normal', changeType: 'feature', version: '1.0.0' });
    await publisher.idle();
    expect(pd.requests).toHaveLength(1);
  });

  it('sends one change event when an override is created', async () => {
    const created = await createOverride();
    expect(created.status).toBe(201);
    await publisher.idle();

    expect(pd.requests).toHaveLength(1);
    const [request] = pd.requests;
    expect(request.url).toBe('/v2/change/enqueue');
    expectChangeEventShape(request.body);
    const { payload } = request.body;
    expect(payload.summary).toContain('zone-exhausted');
    expect(payload.summary).toMatch(/override/i);
    expect(payload.timestamp).toBe(created.body.createdAt);
    expect(payload.custom_details).toMatchObject({
      service: 'zone-exhausted',
      overrideId: created.body.id,
      reason: 'incident 4411 hotfix',
      approvedBy: 'jane.doe',
      expiresAt: created.body.expiresAt,
    });

    // deploys the override lets through are change events of their own
    expect((await gate({ service: 'zone-exhausted', changeType: 'feature', version: '9.9.9' })).body.decision).toBe('allow');
    await publisher.idle();
    expect(pd.requests).toHaveLength(2);
    expect(pd.requests[1].body.payload.custom_details).toMatchObject({ service: 'zone-exhausted', version: '9.9.9' });
  });

  it('keeps the summary within 1024 characters for the longest override reason', async () => {
    const reason = 'r'.repeat(1024);
    expect((await createOverride({ reason })).status).toBe(201);
    await publisher.idle();
    expect(pd.requests).toHaveLength(1);
    expectChangeEventShape(pd.requests[0].body);
    expect(pd.requests[0].body.payload.custom_details.reason).toBe(reason);
  });

  it('retries on 5xx and delivers once in the end', async () => {
    pd.script([500, 500, 202]);
    await gate({ service: 'zone-normal', changeType: 'fix', version: '1.4.3' });
    await publisher.idle();
    expect(pd.requests).toHaveLength(3); // two refusals, one success, and nothing after it
    for (const request of pd.requests) expect(request.body).toEqual(pd.requests[0].body); // the same event each time
    expect(pd.requests[0].body.payload.custom_details).toMatchObject({ version: '1.4.3', changeType: 'fix' });
    await new Promise((r) => setTimeout(r, 200));
    expect(pd.requests).toHaveLength(3);
  });

  it('retries on 429 too', async () => {
    pd.script([429, 202]);
    await createOverride();
    await publisher.idle();
    expect(pd.requests).toHaveLength(2);
  });

  it('does not retry a 400 (a permanent refusal)', async () => {
    pd.script([400]);
    await gate({ service: 'zone-normal', changeType: 'feature', version: '1.4.4' });
    await publisher.idle();
    await new Promise((r) => setTimeout(r, 200)); // longer than every backoff at retryBaseMs 10
    expect(pd.requests).toHaveLength(1);
  });

  it('never shows the routing key in API responses', async () => {
    const shown: string[] = [];
    const grab = async (url: string, token: string | undefined = TOKENS.reader) => {
      const res = await t.request({ url, token });
      expect([url, res.status]).toEqual([url, 200]);
      shown.push(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
    };
    shown.push(JSON.stringify((await gate({ service: 'zone-normal', version: '2.0.0' })).body));
    shown.push(JSON.stringify((await createOverride()).body));
    await publisher.idle();
    expect(pd.requests.map((r) => r.body.routing_key)).toEqual([ROUTING_KEY, ROUTING_KEY]); // it is configured, and used
    await grab('/v1/slos/normal-slo');
    await grab('/v1/slos');
    await grab('/v1/services/zone-normal/budget');
    await grab('/v1/deploy-gate/decisions');
    await grab('/v1/overrides');
    await grab('/v1/audit');
    await grab('/docs-json', undefined);
    expect(JSON.parse(shown[shown.length - 1]).openapi).toEqual(expect.any(String));
    for (const text of shown) expect(text).not.toContain(ROUTING_KEY);
  });
});
