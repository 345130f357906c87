import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../../src/store/store.module';
import { useTestRedis } from '../helpers/redis-server';
import { startTestApp, TestApp } from '../helpers/test-app';
import { TOKENS } from '../helpers/configs';
import { gateConfig, zoneEvents } from '../helpers/gate-config';

/**
 * With Redis, a gate decision costs two commands, one after the other: one script reading the
 * evaluations, freezes, overrides and the state marker, then one script writing the audit entry
 * (and the deploy marker). Counted on the app's own client, whatever the decision.
 */
describe('deploy gate round trips to Redis', () => {
  const redis = useTestRedis();
  let t: TestApp;
  let commands: string[];

  beforeAll(async () => {
    t = await startTestApp(gateConfig({ redisUrl: redis.url, prefix: `gate-trips-${process.pid}:` }));
    const now = t.clock.now();
    expect((await t.request({ method: 'POST', url: '/v1/events', token: TOKENS.ingest, body: zoneEvents(now) })).status).toBe(202);
    await t.evaluate();
    const client = t.app.get<Redis>(REDIS_CLIENT);
    const send = client.sendCommand.bind(client);
    commands = [];
    client.sendCommand = ((command: Parameters<Redis['sendCommand']>[0], stream?: Parameters<Redis['sendCommand']>[1]) => {
      commands.push(`${command.name} ${String(command.args[2] ?? '')}`);
      return send(command, stream);
    }) as Redis['sendCommand'];
    // the scripts' first runs may load them (EVALSHA answered NOSCRIPT, then EVAL): not counted
    expect((await gate({ service: 'zone-normal', changeType: 'feature', version: '0.0.1' })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const gate = (body: Record<string, unknown>) => t.request({ method: 'POST', url: '/v1/deploy-gate', token: TOKENS.ci, body });

  it.each([
    ['an allowed change with a version (audit entry and deploy marker)', { service: 'zone-normal', changeType: 'feature', version: '1.2.3' }, 'allow'],
    ['an allowed change without a version', { service: 'zone-caution', changeType: 'fix' }, 'allow'],
    ['a denied change', { service: 'zone-exhausted', changeType: 'feature', version: '9.9.9' }, 'deny'],
  ])('%s: two commands, reads then writes', async (_name, body, decision) => {
    commands.length = 0;
    const answer = await gate(body);
    expect(answer.status).toBe(200);
    expect(answer.body.decision).toBe(decision);
    expect(commands).toHaveLength(2);
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['evalsha', 'evalsha']);
  });

  it('still two under a freeze and an override, and the audit holds the decision once answered', async () => {
    const now = t.clock.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await t.request({ method: 'POST', url: '/v1/freezes', token: TOKENS.admin, body: { service: 'zone-normal', start: iso(now - 60_000), end: iso(now + 3_600_000), reason: 'Black Friday' } });
    await t.request({ method: 'POST', url: '/v1/overrides', token: TOKENS.admin, body: { service: 'zone-caution', reason: 'hotfix', expiresAt: iso(now + 600_000), approvedBy: 'jane.doe' } });
    commands.length = 0;
    const denied = await gate({ service: 'zone-normal', changeType: 'feature', version: '1.2.4' });
    const allowed = await gate({ service: 'zone-caution', changeType: 'db-migration', version: '2.0.0' });
    expect([denied.body.decision, allowed.body.decision]).toEqual(['deny', 'allow']);
    expect(commands).toHaveLength(4);
    const audit = await t.request({ url: '/v1/deploy-gate/decisions?limit=2', token: TOKENS.reader });
    expect(audit.body.decisions.map((d: { decisionId: string }) => d.decisionId)).toEqual([allowed.body.decisionId, denied.body.decisionId]);
  });
});
