import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryWorker } from '../../src/notifiers/delivery/delivery.worker';
import { alertingConfig, cycleAndDeliver, pdEvents, pushTraffic, ROUTING_KEY } from '../helpers/alerting';
import { TOKENS } from '../helpers/configs';
import { freePort } from '../helpers/free-port';
import { LoopbackReceiver, startPagerDutyReceiver, startSlackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §5, §10, §12: `GET /v1/admin/state` exports the durable state, `PUT /v1/admin/state` imports
 * it (merging, validated whole, clearing a recorded state loss), and `slo-engine state export|import`.
 * On a real redis-server: an export taken before a FLUSHALL brings the freezes, overrides, silences,
 * the audit and the firing alert back, and nobody is paged twice.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

describe('admin state export and import', () => {
  const redis = useTestRedis();
  const apps: TestApp[] = [];
  const receivers: LoopbackReceiver[] = [];
  let seq = 0;

  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
    while (receivers.length > 0) await receivers.pop()!.close();
  });

  async function start(options: { redis?: boolean } = {}): Promise<{ t: TestApp; pd: LoopbackReceiver; slack: LoopbackReceiver }> {
    const pd = await startPagerDutyReceiver();
    const slack = await startSlackReceiver();
    receivers.push(pd, slack);
    const prefix = `admin-state-${Date.now()}-${seq++}:`;
    const server = options.redis === false ? '' : `  redisUrl: ${redis.url}\n  redisPrefix: "${prefix}"\n`;
    const t = await startTestApp(alertingConfig({ pdUrl: pd.url, slackUrl: slack.url, server }), { nowMs: T0 });
    t.app.get(DeliveryWorker).random = () => 1;
    apps.push(t);
    return { t, pd, slack };
  }

  const gate = (t: TestApp, service: string, changeType: string, version = '1.0.0') =>
    t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body: { service, changeType, version } });
  const exportState = async (t: TestApp) => {
    const answer = await t.request({ url: '/v1/admin/state', token: TOKENS.admin });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const importState = (t: TestApp, body: unknown, token = TOKENS.admin) => t.request({ method: 'PUT', url: '/v1/admin/state', token, body });

  /** search-fast fires (paged once), a freeze on search, an override on checkout, a silence, two corrections of checkout, decisions and a deploy. */
  async function populate(t: TestApp, pd: LoopbackReceiver, options: { pdDown?: boolean } = {}): Promise<void> {
    if (options.pdDown) pd.respond(() => ({ status: 500, body: '{"status":"unavailable"}' }));
    await pushTraffic(t, { slo: 'search-fast', fromMs: T0 - HOUR, toMs: T0, stepMs: SECOND, good: 10, total: 10 });
    for (let at = T0 + 10 * SECOND; at <= T0 + 2 * MINUTE; at += 10 * SECOND) {
      await pushTraffic(t, { slo: 'search-fast', fromMs: at - 10 * SECOND, toMs: at, stepMs: SECOND, good: 0, total: 10 });
      t.clock.set(at);
      await cycleAndDeliver(t);
    }
    expect(pdEvents(pd)).toEqual(options.pdDown ? [] : [`trigger ${PAGE}`]);
    const now = t.clock.now();
    const created = await Promise.all([
      t.request({
        method: 'POST',
        url: '/v1/freezes',
        token: TOKENS.admin,
        body: { service: 'search', start: new Date(now - MINUTE).toISOString(), end: new Date(now + 6 * HOUR).toISOString(), reason: 'Black Friday' },
      }),
      t.request({
        method: 'POST',
        url: '/v1/overrides',
        token: TOKENS.admin,
        body: { service: 'checkout', reason: 'hotfix 4411', expiresAt: new Date(now + HOUR).toISOString(), approvedBy: 'jane' },
      }),
      t.request({
        method: 'POST',
        url: '/v1/silences',
        token: TOKENS.admin,
        body: { slo: 'checkout-availability', until: new Date(now + HOUR).toISOString(), reason: 'maintenance' },
      }),
      t.request({
        method: 'POST',
        url: '/v1/corrections',
        token: TOKENS.admin,
        body: { service: 'checkout', start: new Date(now + 24 * HOUR).toISOString(), duration: '1h', repeat: 'weekly', reason: 'DB maintenance' },
      }),
      t.request({
        method: 'POST',
        url: '/v1/corrections',
        token: TOKENS.admin,
        body: { slo: 'checkout-availability', start: new Date(now - 48 * HOUR).toISOString(), end: new Date(now - 47 * HOUR).toISOString(), reason: 'provider outage' },
      }),
    ]);
    expect(created.map((c) => c.status)).toEqual([201, 201, 201, 201, 201]);
    expect((await gate(t, 'checkout', 'feature', '2.0.0')).body.decision).toBe('allow');
    expect((await gate(t, 'search', 'feature')).body).toMatchObject({ decision: 'deny', reasons: expect.arrayContaining([expect.stringContaining('Black Friday')]) });
  }

  it('brings the state back after a FLUSHALL: the loss is cleared, the freeze denies, the alert fires again, nobody is paged twice', async () => {
    const { t, pd, slack } = await start();
    await populate(t, pd);
    const exported = await exportState(t);
    expect(exported).toMatchObject({
      format: 1,
      exportedAt: new Date(t.clock.now()).toISOString(),
      freezes: [expect.objectContaining({ service: 'search', reason: 'Black Friday' })],
      overrides: [expect.objectContaining({ service: 'checkout' })],
      silences: [expect.objectContaining({ slo: 'checkout-availability' })],
      alerts: [expect.objectContaining({ slo: 'search-fast', about: expect.objectContaining({ service: 'search' }) })],
      deliveries: [],
      deploys: [expect.objectContaining({ service: 'checkout', version: '2.0.0' })],
      incidents: [expect.objectContaining({ service: 'search', state: 'open', pages: [expect.objectContaining({ slo: 'search-fast', resolvedAt: null })] })],
      corrections: expect.arrayContaining([
        expect.objectContaining({ service: 'checkout', slo: null, duration: '1h', repeat: 'weekly', reason: 'DB maintenance', source: 'api', createdBy: 'sre' }),
        expect.objectContaining({ slo: 'checkout-availability', service: null, repeat: null, reason: 'provider outage', source: 'api' }),
      ]),
    });
    expect(exported.corrections).toHaveLength(2);
    expect(exported.alerts[0].states).toEqual(expect.arrayContaining([expect.objectContaining({ severity: 'page', state: 'firing', notifiedReceivers: ['pd', 'slack'] })]));
    expect(exported.audit.decisions).toHaveLength(2);
    expect(exported.audit.adminChanges.map((c: { action: string }) => c.action).sort()).toEqual(['correction.create', 'correction.create', 'freeze.create', 'override.create', 'silence.create']);
    expect(exported.alerts[0]).not.toHaveProperty('version');
    // no secrets: tokens, routing keys and webhooks are config
    const text = JSON.stringify(exported);
    for (const secret of [ROUTING_KEY, TOKENS.admin, TOKENS.ci, slack.url, pd.url]) expect(text).not.toContain(secret);

    const client = redis.client();
    await client.flushall();
    client.disconnect();
    expect((await gate(t, 'search', 'feature')).body.reasons).toEqual([expect.stringContaining('shared state lost')]);
    expect((await t.request({ url: '/v1/alerts', token: TOKENS.ci })).body.alerts).toEqual([]);
    expect((await t.request({ url: '/v1/corrections', token: TOKENS.ci })).body.corrections).toEqual([]);

    expect((await importState(t, exported, TOKENS.ci)).status).toBe(403);
    const imported = await importState(t, exported);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({
      imported: { freezes: 1, overrides: 1, silences: 1, alerts: 1, deliveries: 0, decisions: 2, adminChanges: 5, deploys: 1, corrections: 2, incidents: 1 },
      acceptedLoss: { lostAt: expect.any(String), reason: expect.stringContaining('marker') },
    });

    const after = await gate(t, 'search', 'feature');
    expect(after.body.decision).toBe('deny');
    expect(after.body.reasons.join('\n')).not.toContain('shared state lost');
    expect(after.body.reasons.join('\n')).toContain('Black Friday');
    const alerts = await t.request({ url: '/v1/alerts', token: TOKENS.ci });
    expect(alerts.body.alerts).toEqual(expect.arrayContaining([expect.objectContaining({ slo: 'search-fast', severity: 'page' })]));
    const audit = await t.request({ url: '/v1/audit', token: TOKENS.admin });
    expect(audit.body.changes[0]).toMatchObject({ action: 'state.import', actor: 'sre' });
    // the corrections are back as they were (same ids, creation and creator), listed as API ones
    expect((await t.request({ url: '/v1/corrections', token: TOKENS.ci })).body.corrections).toEqual(exported.corrections);

    // errors go on (the event buckets were not exported): the alert still fires, no second page
    for (let at = T0 + 2 * MINUTE + 10 * SECOND; at <= T0 + 3 * MINUTE; at += 10 * SECOND) {
      await pushTraffic(t, { slo: 'search-fast', fromMs: at - 10 * MINUTE, toMs: at, stepMs: SECOND, good: 0, total: 10 });
      t.clock.set(at);
      await cycleAndDeliver(t);
    }
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
    // the incident is back, still open, and no second one was opened for the same page
    const incidents = (await t.request({ url: '/v1/incidents', token: TOKENS.ci })).body.incidents;
    expect(incidents.map((i: { id: string; state: string }) => [i.id, i.state])).toEqual([[exported.incidents[0].id, 'open']]);

    // importing the same export again adds nothing but its own audit entry
    const again = await importState(t, exported);
    expect(again.body.imported).toMatchObject({ alerts: 0, deliveries: 0, decisions: 0, adminChanges: 0, deploys: 0, incidents: 0 });
    expect(again.body.acceptedLoss).toBeNull();
  });

  it('refuses a malformed export whole (400 with paths, nothing imported)', async () => {
    const source = await start();
    await populate(source.t, source.pd);
    const exported = await exportState(source.t);
    const { t } = await start();
    const bad = structuredClone(exported);
    bad.freezes[0].start = 'yesterday';
    bad.alerts[0].states[0].state = 'burning';
    bad.audit.decisions[1].decisionId = 42;
    bad.corrections[0].end = bad.corrections[0].start;
    const answer = await importState(t, bad);
    expect(answer.status).toBe(400);
    expect(answer.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/freezes.*0.*start/),
        expect.stringMatching(/alerts.*0.*states.*0.*state/),
        expect.stringMatching(/decisions.*1.*decisionId/),
        'corrections[0].end',
      ]),
    );
    const after = await exportState(t);
    expect([after.freezes, after.overrides, after.silences, after.alerts, after.audit.decisions, after.audit.adminChanges, after.corrections]).toEqual([[], [], [], [], [], [], []]);
    // a malformed correction alone refuses the whole export too
    const badCorrections: Array<[string, (c: Record<string, unknown>) => void, string]> = [
      ['a config correction', (c) => (c.source = 'config'), 'corrections[1].source'],
      ['an id of the config', (c) => (c.id = 'config-0123456789abcdef'), 'corrections[1].id'],
      ['no creation time', (c) => (c.createdAt = null), 'corrections[1].createdAt'],
      // (the two corrections share a creation instant, so either may be second: set both fields)
      ['both slo and service', (c) => Object.assign(c, { slo: 'checkout-availability', service: 'checkout' }), 'corrections[1].service'],
      ['a duration that is not end − start', (c) => (c.duration = '3h'), 'corrections[1].duration'],
      ['an unknown repeat', (c) => (c.repeat = 'monthly'), 'corrections[1].repeat'],
      ['a start with an offset (the same instant)', (c) => (c.start = new Date(Date.parse(String(c.start)) + HOUR).toISOString().replace('Z', '+01:00')), 'corrections[1].start'],
      ['an unknown field', (c) => (c.extra = true), 'corrections[1]'],
    ];
    for (const [what, spoil, path] of badCorrections) {
      const doc = structuredClone(exported);
      spoil(doc.corrections[1]);
      const refused = await importState(t, doc);
      expect([what, refused.status, refused.body.details.map((d: { path: string }) => d.path)]).toEqual([what, 400, [path]]);
    }
    expect((await exportState(t)).corrections).toEqual([]);
    expect((await importState(t, { ...exported, format: 2 })).status).toBe(400);
    expect((await importState(t, { ...exported, secrets: [] })).status).toBe(400);
  });

  it('round-trips: an export imported into an empty prefix exports equal but for the time and the import audit entry', async () => {
    const source = await start();
    await populate(source.t, source.pd, { pdDown: true }); // the page waits in the outbox
    const exported = await exportState(source.t);
    expect(exported.deliveries).toEqual([expect.objectContaining({ receiver: 'pd', action: 'trigger', attempts: expect.any(Number) })]);
    const { t, pd } = await start();
    t.clock.set(T0 + 5 * MINUTE);
    expect((await importState(t, exported)).status).toBe(200);
    const again = await exportState(t);
    const byId = (list: Array<{ id: string }>) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    const comparable = (doc: any) => ({
      ...doc,
      exportedAt: undefined,
      freezes: byId(doc.freezes),
      overrides: byId(doc.overrides),
      silences: byId(doc.silences),
      corrections: byId(doc.corrections),
      audit: { ...doc.audit, adminChanges: doc.audit.adminChanges.filter((c: { action: string }) => c.action !== 'state.import') },
    });
    expect(comparable(again)).toEqual(comparable(exported));
    expect(again.exportedAt).toBe(new Date(T0 + 5 * MINUTE).toISOString());
    // the imported page is sent by the importing service, once
    await t.app.get(DeliveryWorker).drain();
    expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
  });

  it('takes an export over 5 MiB on this route only, and reads no body without a valid token', async () => {
    const { t } = await start({ redis: false });
    const now = t.clock.now();
    const big = 'x'.repeat(6 * 1024 * 1024);
    const freeze = { id: 'big', service: 'search', start: new Date(now).toISOString(), end: new Date(now + HOUR).toISOString(), reason: big, createdBy: 'sre', createdAt: new Date(now).toISOString() };
    const doc = { ...(await exportState(t)), freezes: [freeze] };
    expect((await importState(t, doc, 'not-a-token')).status).toBe(401);
    const answer = await importState(t, doc);
    expect(answer.status).toBe(200);
    expect(answer.body.imported.freezes).toBe(1);
    const post = await t.request({ method: 'POST', url: '/v1/freezes', token: TOKENS.admin, body: { service: 'search', start: freeze.start, end: freeze.end, reason: big } });
    expect(post.status).toBe(413);
  });
});

describe('slo-engine state export|import (the CLI as a process)', () => {
  interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
  }
  const runCli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  let source: TestApp;
  let target: TestApp;
  let dir: string;
  const listen = async (t: TestApp) => {
    await t.app.listen(0, '127.0.0.1');
    return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slo-engine-state-cli-'));
    const config = alertingConfig({ pdUrl: 'http://127.0.0.1:9/v2/enqueue', slackUrl: 'http://127.0.0.1:9/services/T/B/X' });
    source = await startTestApp(config, { nowMs: T0 });
    target = await startTestApp(config, { nowMs: T0 });
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports to stdout and imports a file: exit 0; 3 when refused; 2 when unreachable', async () => {
    const now = source.clock.now();
    const freeze = await source.request({
      method: 'POST',
      url: '/v1/freezes',
      token: TOKENS.admin,
      body: { service: 'search', start: new Date(now).toISOString(), end: new Date(now + HOUR).toISOString(), reason: 'Black Friday' },
    });
    expect(freeze.status).toBe(201);
    const [sourceUrl, targetUrl] = [await listen(source), await listen(target)];

    const exported = await runCli(['state', 'export', '--url', sourceUrl], { SLO_ENGINE_TOKEN: TOKENS.admin });
    expect([exported.code, exported.stderr]).toEqual([0, '']);
    const doc = JSON.parse(exported.stdout);
    expect(doc.freezes).toEqual([expect.objectContaining({ reason: 'Black Friday' })]);
    const file = join(dir, 'state.json');
    writeFileSync(file, exported.stdout);

    const imported = await runCli(['state', 'import', '--url', targetUrl, '--token', TOKENS.admin, file]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('"freezes":1');
    expect(imported.stderr).not.toContain(TOKENS.admin);
    expect((await target.request({ url: '/v1/freezes', token: TOKENS.admin })).body.freezes).toEqual([expect.objectContaining({ reason: 'Black Friday' })]);

    // refused: a token without the admin scope, no token, a malformed file (4xx)
    expect((await runCli(['state', 'export', '--url', sourceUrl, '--token', TOKENS.ci])).code).toBe(3);
    expect((await runCli(['state', 'export', '--url', sourceUrl])).code).toBe(3);
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ ...doc, freezes: [{ id: 1 }] }));
    const bad = await runCli(['state', 'import', '--url', targetUrl, badFile], { SLO_ENGINE_TOKEN: TOKENS.admin });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('freezes');
    // bad usage
    expect((await runCli(['state', 'import', '--url', targetUrl])).code).toBe(3);

    // unreachable: nothing listens there
    const closed = await freePort();
    const down = await runCli(['state', 'export', '--url', `http://127.0.0.1:${closed}`], { SLO_ENGINE_TOKEN: TOKENS.admin });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('could not reach');
    expect(down.stderr).not.toContain(TOKENS.admin);
  });
});
