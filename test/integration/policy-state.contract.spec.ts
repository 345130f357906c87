import Redis from 'ioredis';
import { StateUnavailableError } from '../../src/common/domain-error';
import type { AdminAuditEntry } from '../../src/common/admin-audit';
import type { Silence, SilenceRepository } from '../../src/alerting/silences/silence';
import {
  AUDIT_LIMITS,
  DecisionRecord,
  DeployRecord,
  Freeze,
  Override,
  PolicyStateRepository,
} from '../../src/policies/ports/policy-state.repository';
import type { ApiCorrection, CorrectionRepository } from '../../src/policies/ports/correction.repository';

/** The store adapters keep freezes, overrides, silences, corrections and both audit logs together. */
type PolicyState = PolicyStateRepository & SilenceRepository & CorrectionRepository;
import { MemoryPolicyStateRepository } from '../../src/store/memory/memory-policy-state.repository';
import { RedisPolicyStateRepository } from '../../src/store/redis/redis-policy-state.repository';
import { MemoryEvaluationRepository } from '../../src/store/memory/memory-evaluation.repository';
import { RedisEvaluationRepository } from '../../src/store/redis/redis-evaluation.repository';
import { RedisStateIntegrity } from '../../src/store/redis/redis-state-integrity';
import type { EvaluationRepository } from '../../src/slo/ports/evaluation.repository';
import type { StateLoss } from '../../src/common/state-integrity';
import { evaluatedRecord } from '../service/support';
import { redisOptions, waitForRedis } from '../../src/store/redis/redis-connection';
import { startRedis, useTestRedis } from '../helpers/redis-server';

/**
 * One contract, two repositories: what the deploy gate, the admin API and the audit endpoints rely
 * on (SPEC §5, §7; retention of AUDIT_LIMITS) holds in memory and in Redis alike.
 */
type Kind = 'memory' | 'redis';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

const redis = useTestRedis();
let prefixCounter = 0;

/** A client of the suite's server, configured as the service configures its own (no offline queue: fail fast when down). */
async function connect(): Promise<Redis> {
  const client = redis.client(redisOptions());
  await waitForRedis(client, 5_000);
  return client;
}

function newPrefix(): string {
  return `policy-contract-${process.pid}-${++prefixCounter}:`;
}

function freeze(n: number, service = 'checkout'): Freeze {
  return {
    id: `freeze-${n}`,
    service,
    start: iso(n * 1_000),
    end: iso(3_600_000 + n * 1_000),
    reason: `Black Friday ${n}`,
    createdBy: 'sre',
    createdAt: iso(0),
  };
}

function override(n: number, service = 'checkout'): Override {
  return {
    id: `override-${n}`,
    service,
    reason: `incident ${n}`,
    expiresAt: iso(600_000 + n),
    approvedBy: 'jane.doe',
    createdBy: 'sre',
    createdAt: iso(n),
  };
}

/** odd n: one SLO; even n: a whole service */
function silence(n: number): Silence {
  return {
    id: `silence-${n}`,
    slo: n % 2 === 1 ? `slo-${n}` : null,
    service: n % 2 === 0 ? `service-${n}` : null,
    until: iso(86_400_000 + n),
    reason: `maintenance ${n}`,
    createdBy: 'sre',
    createdAt: iso(n),
  };
}

/** odd n: one SLO, repeated weekly; even n: a service ("*" for n % 4 === 0), once */
function correction(n: number): ApiCorrection {
  return {
    id: `correction-${n}`,
    ...(n % 2 === 1 ? { slo: `slo-${n}` } : { service: n % 4 === 0 ? '*' : `service-${n}` }),
    startMs: T0 - n * 86_400_000,
    durationMs: 7_200_000 + n,
    repeat: n % 2 === 1 ? 'weekly' : null,
    reason: `DB maintenance ${n}`,
    source: 'api',
    createdAtMs: T0 + n,
    createdBy: 'sre',
  };
}

function decision(n: number, service = 'checkout'): DecisionRecord {
  return {
    decisionId: `decision-${n}`,
    at: iso(n),
    service,
    changeType: n % 2 === 0 ? 'feature' : 'db-migration',
    version: n % 3 === 0 ? null : `1.0.${n}`,
    environment: n % 3 === 0 ? null : 'prod',
    requestedBy: n % 3 === 0 ? null : 'pipeline-7',
    token: 'ci',
    decision: n % 2 === 0 ? 'allow' : 'deny',
    zone: 'caution',
    reasons: [`${service}-availability: 41% of the error budget left (caution zone)`],
    warnings: n % 2 === 0 ? ['caution zone: extra review required for risky changes'] : [],
    slos: [
      { slo: `${service}-availability`, zone: 'caution', remaining: 0.41 },
      { slo: `${service}-latency`, zone: 'unknown', remaining: null },
    ],
    overrideId: null,
    freezeIds: n % 5 === 0 ? ['freeze-1', 'freeze-2'] : [],
  };
}

const ADMIN_ACTIONS: Array<AdminAuditEntry['action']> = ['freeze.create', 'override.delete', 'silence.create', 'silence.delete'];

function adminChange(n: number): AdminAuditEntry {
  return {
    at: iso(n),
    actor: 'sre',
    action: ADMIN_ACTIONS[n % ADMIN_ACTIONS.length],
    id: `thing-${n}`,
    service: 'checkout',
    details: { reason: `why ${n}`, nested: { n, list: [1, 'two', null] } },
  };
}

function deploy(n: number, service = 'checkout'): DeployRecord {
  return {
    decisionId: `decision-${n}`,
    at: iso(n),
    service,
    version: `2.0.${n}`,
    changeType: 'feature',
    environment: n % 2 === 0 ? 'prod' : null,
    requestedBy: null,
    slos: [
      { slo: `${service}-availability`, remaining: 0.5 },
      { slo: `${service}-latency`, remaining: null },
    ],
  };
}

const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
const ids = (items: Array<{ decisionId: string }>) => items.map((item) => item.decisionId);
/** decision-(from-1) … decision-to, newest (highest) first */
const newestFirst = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `decision-${to - 1 - i}`);

/**
 * Fills the audit lists with old entries, oldest first, as if appended one by one. In memory this is
 * the repository's own append. In Redis, 10,000 single appends (one MULTI each) take seconds of
 * ioredis client time, so the old entries are written as the repository stores them (JSON, LPUSH,
 * newest at the head) in a few big commands; the entries that must push the list over its cap are
 * then appended through the repository.
 */
interface Seeder {
  decisions(records: DecisionRecord[]): Promise<void>;
  adminChanges(entries: AdminAuditEntry[]): Promise<void>;
}

interface Subject {
  repo: PolicyState;
  seed: Seeder;
  /** where the gate's evaluations are kept (the app's evaluation repository) */
  evaluations: EvaluationRepository;
  /** the same state as another replica sees it (Redis: another client; memory: the one process) */
  replica(): Promise<PolicyState>;
}

async function makeSubject(kind: Kind): Promise<Subject> {
  if (kind === 'memory') {
    const evaluations = new MemoryEvaluationRepository();
    const repo = new MemoryPolicyStateRepository(evaluations);
    return {
      repo,
      evaluations,
      replica: async () => repo,
      seed: {
        decisions: async (records) => {
          for (const record of records) await repo.appendDecision(record);
        },
        adminChanges: async (entries) => {
          for (const entry of entries) await repo.appendAdminChange(entry);
        },
      },
    };
  }
  const client = await connect();
  const prefix = newPrefix();
  const lpush = async (key: string, values: unknown[]) => {
    for (let i = 0; i < values.length; i += 1_000) await client.lpush(key, ...values.slice(i, i + 1_000).map((v) => JSON.stringify(v)));
  };
  return {
    repo: new RedisPolicyStateRepository(client, prefix),
    evaluations: new RedisEvaluationRepository(client, prefix),
    replica: async () => new RedisPolicyStateRepository(await connect(), prefix),
    seed: {
      decisions: async (records) => {
        await lpush(`${prefix}policy:decisions`, records);
        for (const service of new Set(records.map((r) => r.service))) {
          await lpush(`${prefix}policy:decisions:${service}`, records.filter((r) => r.service === service));
        }
      },
      adminChanges: (entries) => lpush(`${prefix}policy:changes`, entries),
    },
  };
}

describe.each<Kind>(['memory', 'redis'])('policy state contract (%s)', (kind) => {
  let repo: PolicyState;
  let seed: Seeder;
  let subject: Subject;

  beforeEach(async () => {
    subject = await makeSubject(kind);
    ({ repo, seed } = subject);
  });

  describe("the deploy gate's reads and writes", () => {
    it('gateInputs: the evaluations asked for, in their order (null: never evaluated), every freeze and override, no loss', async () => {
      await subject.evaluations.saveAll([evaluatedRecord('slo-a', T0, { remaining: 0.4 }), evaluatedRecord('slo-c', T0 - 60_000, { remaining: -1 })]);
      await repo.saveFreeze(freeze(1));
      await repo.saveFreeze(freeze(2, '*'));
      await repo.saveOverride(override(1, 'search'));

      const inputs = await repo.gateInputs(['slo-c', 'slo-b', 'slo-a'], T0);
      expect(inputs.evaluations).toEqual([evaluatedRecord('slo-c', T0 - 60_000, { remaining: -1 }), null, evaluatedRecord('slo-a', T0, { remaining: 0.4 })]);
      expect(byId(inputs.freezes)).toEqual([freeze(1), freeze(2, '*')]);
      expect(inputs.overrides).toEqual([override(1, 'search')]);
      expect(inputs.loss).toBeNull();
      expect(await repo.gateInputs([], T0)).toEqual({ evaluations: [], freezes: inputs.freezes, overrides: inputs.overrides, loss: null });
    });

    it('a freeze or override created after the last decision (on another replica) is read by the next one', async () => {
      await repo.gateInputs(['slo-a'], T0);
      await repo.recordDecision(decision(1), null);
      const other = await subject.replica();
      await other.saveFreeze(freeze(7));
      await other.saveOverride(override(7));
      const next = await repo.gateInputs(['slo-a'], T0 + 1);
      expect(next.freezes).toEqual([freeze(7)]);
      expect(next.overrides).toEqual([override(7)]);
      await other.deleteFreeze('freeze-7');
      expect((await repo.gateInputs(['slo-a'], T0 + 2)).freezes).toEqual([]);
    });

    it('the decision is in the audit (overall, per service) and its deploy marker listed as soon as recordDecision resolves', async () => {
      const allowed = decision(2); // allow, version 1.0.2
      const marker = { ...deploy(2), decisionId: allowed.decisionId };
      await repo.recordDecision(allowed, marker);
      const other = await subject.replica();
      expect(await other.listDecisions({ limit: 10 })).toEqual([decision(2)]);
      expect(await other.listDecisions({ service: 'checkout', limit: 10 })).toEqual([decision(2)]);
      expect(await other.listDeploys('checkout', 10)).toEqual([{ ...deploy(2), decisionId: 'decision-2' }]);

      await repo.recordDecision(decision(4, 'search'), null); // no marker: nothing in the deploys
      expect(ids(await other.listDecisions({ limit: 10 }))).toEqual(['decision-4', 'decision-2']);
      expect(await other.listDeploys('search', 10)).toEqual([]);
    });

    it('recordDecision keeps the deploy markers of a service to the newest AUDIT_LIMITS.deploysPerService', async () => {
      const count = AUDIT_LIMITS.deploysPerService + 3;
      for (let n = 0; n < count; n++) await repo.recordDecision(decision(n), deploy(n));
      const listed = await repo.listDeploys('checkout', 100);
      expect(listed).toHaveLength(AUDIT_LIMITS.deploysPerService);
      expect(listed[0]).toEqual(deploy(count - 1));
      expect(await repo.listDecisions({ service: 'checkout', limit: 100 })).toHaveLength(count);
    });
  });

  it('starts empty', async () => {
    expect(await repo.listFreezes()).toEqual([]);
    expect(await repo.listOverrides()).toEqual([]);
    expect(await repo.listSilences()).toEqual([]);
    expect(await repo.listCorrections()).toEqual([]);
    expect(await repo.listDecisions({ limit: 50 })).toEqual([]);
    expect(await repo.listDecisions({ service: 'checkout', limit: 50 })).toEqual([]);
    expect(await repo.listAdminChanges(50)).toEqual([]);
    expect(await repo.listDeploys('checkout', 50)).toEqual([]);
  });

  it('saves, lists and deletes freezes; delete returns what it removed, then null', async () => {
    await repo.saveFreeze(freeze(1));
    await repo.saveFreeze(freeze(2, '*'));
    await repo.saveFreeze(freeze(3, 'search'));
    expect(byId(await repo.listFreezes())).toEqual([freeze(1), freeze(2, '*'), freeze(3, 'search')]);

    expect(await repo.deleteFreeze('freeze-2')).toEqual(freeze(2, '*'));
    expect(byId(await repo.listFreezes())).toEqual([freeze(1), freeze(3, 'search')]);
    expect(await repo.deleteFreeze('freeze-2')).toBeNull();
    expect(await repo.deleteFreeze('no-such-freeze')).toBeNull();
    expect(byId(await repo.listFreezes())).toEqual([freeze(1), freeze(3, 'search')]);

    // saving under an existing id replaces it
    await repo.saveFreeze({ ...freeze(1), reason: 'extended' });
    expect(byId(await repo.listFreezes())).toEqual([{ ...freeze(1), reason: 'extended' }, freeze(3, 'search')]);
    expect(await repo.deleteFreeze('freeze-1')).toEqual({ ...freeze(1), reason: 'extended' });
    expect(await repo.deleteFreeze('freeze-3')).toEqual(freeze(3, 'search'));
    expect(await repo.listFreezes()).toEqual([]);
  });

  it('saves, lists and deletes overrides; delete returns what it removed, then null', async () => {
    await repo.saveOverride(override(1));
    await repo.saveOverride(override(2, 'search'));
    expect(byId(await repo.listOverrides())).toEqual([override(1), override(2, 'search')]);

    expect(await repo.deleteOverride('override-1')).toEqual(override(1));
    expect(await repo.listOverrides()).toEqual([override(2, 'search')]);
    expect(await repo.deleteOverride('override-1')).toBeNull();
    expect(await repo.deleteOverride('no-such-override')).toBeNull();
    expect(await repo.listOverrides()).toEqual([override(2, 'search')]);

    await repo.saveOverride({ ...override(2, 'search'), reason: 'longer' });
    expect(await repo.listOverrides()).toEqual([{ ...override(2, 'search'), reason: 'longer' }]);
    // freezes and overrides are separate: the ids of one are unknown to the other
    expect(await repo.deleteFreeze('override-2')).toBeNull();
    expect(await repo.listOverrides()).toHaveLength(1);
  });

  it('saves, lists and deletes silences (nulls kept as null); delete returns what it removed, then null', async () => {
    await repo.saveSilence(silence(1));
    await repo.saveSilence(silence(2));
    await repo.saveSilence(silence(3));
    expect(byId(await repo.listSilences())).toEqual([silence(1), silence(2), silence(3)]);
    expect((await repo.listSilences()).find((s) => s.id === 'silence-1')).toMatchObject({ slo: 'slo-1', service: null });

    expect(await repo.deleteSilence('silence-2')).toEqual(silence(2));
    expect(byId(await repo.listSilences())).toEqual([silence(1), silence(3)]);
    expect(await repo.deleteSilence('silence-2')).toBeNull();
    expect(await repo.deleteSilence('no-such-silence')).toBeNull();
    expect(byId(await repo.listSilences())).toEqual([silence(1), silence(3)]);

    // saving under an existing id replaces it
    await repo.saveSilence({ ...silence(3), until: iso(172_800_000) });
    expect(byId(await repo.listSilences())).toEqual([silence(1), { ...silence(3), until: iso(172_800_000) }]);
    // silences, freezes and overrides are separate: the ids of one are unknown to the others
    await repo.saveFreeze({ ...freeze(1), id: 'shared-id' });
    expect(await repo.deleteSilence('shared-id')).toBeNull();
    expect(await repo.deleteFreeze('silence-1')).toBeNull();
    expect(await repo.deleteOverride('silence-1')).toBeNull();
    expect(await repo.deleteSilence('silence-1')).toEqual(silence(1));
    expect(await repo.deleteSilence('silence-3')).toEqual({ ...silence(3), until: iso(172_800_000) });
    expect(await repo.listSilences()).toEqual([]);
    expect(await repo.listFreezes()).toHaveLength(1);
  });

  it('saves, lists and deletes corrections (an absent slo or service stays absent); delete returns what it removed, then null', async () => {
    await repo.saveCorrection(correction(1));
    await repo.saveCorrection(correction(2));
    await repo.saveCorrection(correction(4));
    expect(byId(await repo.listCorrections())).toEqual([correction(1), correction(2), correction(4)]);
    const listed = (await repo.listCorrections()).find((c) => c.id === 'correction-1')!;
    expect(Object.keys(listed).sort()).toEqual(['createdAtMs', 'createdBy', 'durationMs', 'id', 'reason', 'repeat', 'slo', 'source', 'startMs']);

    expect(await repo.deleteCorrection('correction-2')).toEqual(correction(2));
    expect(byId(await repo.listCorrections())).toEqual([correction(1), correction(4)]);
    expect(await repo.deleteCorrection('correction-2')).toBeNull();
    expect(await repo.deleteCorrection('no-such-correction')).toBeNull();

    // saving under an existing id replaces it
    await repo.saveCorrection({ ...correction(4), reason: 'longer', durationMs: 3_600_000 });
    expect(byId(await repo.listCorrections())).toEqual([correction(1), { ...correction(4), reason: 'longer', durationMs: 3_600_000 }]);
    // corrections and the other records are separate: the ids of one are unknown to the others
    await repo.saveFreeze({ ...freeze(1), id: 'correction-1' });
    expect(await repo.deleteFreeze('correction-4')).toBeNull();
    expect(await repo.deleteSilence('correction-4')).toBeNull();
    expect(await repo.deleteCorrection('correction-1')).toEqual(correction(1));
    expect(await repo.listFreezes()).toHaveLength(1);
    expect(await repo.deleteCorrection('correction-4')).toEqual({ ...correction(4), reason: 'longer', durationMs: 3_600_000 });
    expect(await repo.listCorrections()).toEqual([]);
  });

  it('keeps corrections without expiry, as many as are saved', async () => {
    await Promise.all(Array.from({ length: 250 }, (_, n) => repo.saveCorrection({ ...correction(n), startMs: 0, durationMs: 1_000, repeat: null })));
    expect(await repo.listCorrections()).toHaveLength(250);
  });

  it('keeps copies: changing an object after saving it, or a listed one, changes nothing stored (listed ones may be frozen)', async () => {
    const f = freeze(1);
    const o = override(1);
    const s = silence(1);
    const d = decision(1);
    const c = correction(1);
    await repo.saveCorrection(c);
    c.reason = 'mutated';
    const listedCorrection = (await repo.listCorrections())[0];
    try {
      listedCorrection.startMs = 0;
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
    }
    expect(await repo.listCorrections()).toEqual([correction(1)]);
    await repo.saveFreeze(f);
    await repo.saveOverride(o);
    await repo.saveSilence(s);
    await repo.appendDecision(d);
    f.reason = 'mutated';
    o.expiresAt = iso(999_999_999);
    s.until = iso(999_999_999);
    d.reasons.push('mutated');
    // A listed entry is either a copy or frozen (memory hands out frozen entries, no copy per read):
    // trying to change it must not change what is stored.
    const attempt = (change: () => void) => {
      try {
        change();
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
      }
    };
    const listedFreeze = (await repo.listFreezes())[0];
    attempt(() => (listedFreeze.service = 'mutated'));
    const listedSilence = (await repo.listSilences())[0];
    attempt(() => (listedSilence.slo = 'mutated'));
    const listedDecision = (await repo.listDecisions({ limit: 1 }))[0];
    attempt(() => (listedDecision.slos[0].remaining = -1));
    expect(await repo.listFreezes()).toEqual([freeze(1)]);
    expect(await repo.listOverrides()).toEqual([override(1)]);
    expect(await repo.listSilences()).toEqual([silence(1)]);
    expect(await repo.listDecisions({ limit: 10 })).toEqual([decision(1)]);
  });

  it('lists decisions newest first, per service, up to the limit, field for field', async () => {
    const services = ['checkout', 'search', 'checkout', 'checkout', 'search', 'cart'];
    for (const [n, service] of services.entries()) await repo.appendDecision(decision(n, service));

    const all = await repo.listDecisions({ limit: 50 });
    expect(ids(all)).toEqual(['decision-5', 'decision-4', 'decision-3', 'decision-2', 'decision-1', 'decision-0']);
    expect(all).toEqual(services.map((service, n) => decision(n, service)).reverse());

    expect(await repo.listDecisions({ service: 'checkout', limit: 50 })).toEqual([decision(3), decision(2), decision(0)]);
    expect(ids(await repo.listDecisions({ service: 'search', limit: 50 }))).toEqual(['decision-4', 'decision-1']);
    expect(ids(await repo.listDecisions({ service: 'cart', limit: 50 }))).toEqual(['decision-5']);
    expect(await repo.listDecisions({ service: 'nope', limit: 50 })).toEqual([]);

    expect(ids(await repo.listDecisions({ limit: 2 }))).toEqual(['decision-5', 'decision-4']);
    expect(ids(await repo.listDecisions({ service: 'checkout', limit: 1 }))).toEqual(['decision-3']);
    expect(ids(await repo.listDecisions({ limit: 6 }))).toHaveLength(6);
    // a limit of 0 is an empty page, not "no limit"
    expect(await repo.listDecisions({ limit: 0 })).toEqual([]);
    expect(await repo.listDecisions({ service: 'checkout', limit: 0 })).toEqual([]);
  });

  it('lists admin changes newest first, up to the limit, field for field', async () => {
    for (let n = 0; n < 5; n++) await repo.appendAdminChange(adminChange(n));
    expect(await repo.listAdminChanges(100)).toEqual([4, 3, 2, 1, 0].map(adminChange));
    expect(await repo.listAdminChanges(2)).toEqual([adminChange(4), adminChange(3)]);
    expect(await repo.listAdminChanges(0)).toEqual([]);
  });

  it('lists deploys per service, newest first, up to the limit, field for field', async () => {
    await repo.recordDeploy(deploy(1));
    await repo.recordDeploy(deploy(2, 'search'));
    await repo.recordDeploy(deploy(3));
    await repo.recordDeploy(deploy(4));
    expect(await repo.listDeploys('checkout', 10)).toEqual([deploy(4), deploy(3), deploy(1)]);
    expect(await repo.listDeploys('checkout', 2)).toEqual([deploy(4), deploy(3)]);
    expect(await repo.listDeploys('checkout', 0)).toEqual([]);
    expect(await repo.listDeploys('search', 10)).toEqual([deploy(2, 'search')]);
    expect(await repo.listDeploys('cart', 10)).toEqual([]);
    // deploys are not decisions
    expect(await repo.listDecisions({ limit: 10 })).toEqual([]);
  });

  it(`keeps the newest ${AUDIT_LIMITS.decisionsPerService} decisions per service and ${AUDIT_LIMITS.deploysPerService} deploys per service`, async () => {
    expect(AUDIT_LIMITS.decisionsPerService).toBe(1_000);
    expect(AUDIT_LIMITS.deploysPerService).toBe(20);
    const busy = AUDIT_LIMITS.decisionsPerService + 5;
    await Promise.all(Array.from({ length: busy }, (_, n) => repo.appendDecision(decision(n, 'busy'))));
    await repo.appendDecision(decision(busy, 'quiet'));

    const own = await repo.listDecisions({ service: 'busy', limit: 5_000 });
    expect(ids(own)).toEqual(newestFirst(5, busy));
    // the overall list is not cut at the per-service cap
    const all = await repo.listDecisions({ limit: 5_000 });
    expect(all).toHaveLength(busy + 1);
    expect(ids(all.slice(0, 2))).toEqual([`decision-${busy}`, `decision-${busy - 1}`]);
    expect(ids(all.slice(-1))).toEqual(['decision-0']);
    expect(ids(await repo.listDecisions({ service: 'quiet', limit: 5_000 }))).toEqual([`decision-${busy}`]);

    await Promise.all(Array.from({ length: 25 }, (_, n) => repo.recordDeploy(deploy(n))));
    await repo.recordDeploy(deploy(99, 'search'));
    expect(ids(await repo.listDeploys('checkout', 100))).toEqual(newestFirst(5, 25));
    expect(ids(await repo.listDeploys('search', 100))).toEqual(['decision-99']);
  });

  it(`keeps the newest ${AUDIT_LIMITS.decisions} decisions and ${AUDIT_LIMITS.adminChanges} admin changes overall`, async () => {
    expect(AUDIT_LIMITS.decisions).toBe(10_000);
    expect(AUDIT_LIMITS.adminChanges).toBe(10_000);
    const count = AUDIT_LIMITS.decisions + 5;
    const services = 25; // 400 or 401 each: under the per-service cap
    const records = Array.from({ length: count }, (_, n) => decision(n, `svc-${n % services}`));
    // the list is exactly full; the last 10 appends go through the repository and must trim it
    await seed.decisions(records.slice(0, AUDIT_LIMITS.decisions - 5));
    expect(await repo.listDecisions({ limit: 20_000 })).toHaveLength(AUDIT_LIMITS.decisions - 5);
    for (const record of records.slice(AUDIT_LIMITS.decisions - 5)) await repo.appendDecision(record);

    const all = await repo.listDecisions({ limit: 20_000 });
    expect(all).toHaveLength(AUDIT_LIMITS.decisions);
    expect(ids(all)).toEqual(newestFirst(5, count));
    expect(all[0]).toEqual(records[count - 1]);
    // per-service lists keep their own older entries: the overall cap does not cut them
    const svc0 = await repo.listDecisions({ service: 'svc-0', limit: 20_000 });
    expect(svc0).toHaveLength(Math.ceil(count / services));
    expect(ids(svc0.slice(0, 1))).toEqual([`decision-${count - 5}`]); // 10000 % 25 === 0
    expect(ids(svc0.slice(-1))).toEqual(['decision-0']);

    const changes = Array.from({ length: AUDIT_LIMITS.adminChanges + 5 }, (_, n) => adminChange(n));
    await seed.adminChanges(changes.slice(0, AUDIT_LIMITS.adminChanges - 5));
    for (const entry of changes.slice(AUDIT_LIMITS.adminChanges - 5)) await repo.appendAdminChange(entry);
    const listed = await repo.listAdminChanges(20_000);
    expect(listed).toHaveLength(AUDIT_LIMITS.adminChanges);
    expect(listed[0]).toEqual(changes[changes.length - 1]);
    expect(listed[listed.length - 1]).toEqual(changes[5]);
  });
});

describe('RedisPolicyStateRepository only', () => {
  it('keeps everything in Redis: a second repository (new client, same prefix) sees it all', async () => {
    const prefix = newPrefix();
    const firstClient = await connect();
    const first = new RedisPolicyStateRepository(firstClient, prefix);
    await first.saveFreeze(freeze(1));
    await first.saveOverride(override(1));
    await first.saveSilence(silence(1));
    await first.saveSilence(silence(2));
    await first.saveCorrection(correction(1));
    await first.saveCorrection(correction(2));
    await first.appendDecision(decision(1));
    await first.appendDecision(decision(2, 'search'));
    await first.appendAdminChange(adminChange(1));
    await first.recordDeploy(deploy(1));
    await firstClient.quit(); // the process that wrote it is gone

    const second = new RedisPolicyStateRepository(await connect(), prefix);
    expect(await second.listFreezes()).toEqual([freeze(1)]);
    expect(await second.listOverrides()).toEqual([override(1)]);
    expect(byId(await second.listSilences())).toEqual([silence(1), silence(2)]);
    expect(await second.deleteSilence('silence-2')).toEqual(silence(2));
    expect(byId(await second.listCorrections())).toEqual([correction(1), correction(2)]);
    expect(await second.deleteCorrection('correction-2')).toEqual(correction(2));
    expect(await second.listDecisions({ limit: 10 })).toEqual([decision(2, 'search'), decision(1)]);
    expect(await second.listDecisions({ service: 'search', limit: 10 })).toEqual([decision(2, 'search')]);
    expect(await second.listAdminChanges(10)).toEqual([adminChange(1)]);
    expect(await second.listDeploys('checkout', 10)).toEqual([deploy(1)]);
    expect(await second.deleteFreeze('freeze-1')).toEqual(freeze(1));

    // another prefix is another deployment: it sees nothing
    const other = new RedisPolicyStateRepository(await connect(), newPrefix());
    expect(await other.listOverrides()).toEqual([]);
    expect(await other.listSilences()).toEqual([]);
    expect(await other.deleteSilence('silence-1')).toBeNull();
    expect(await other.listCorrections()).toEqual([]);
    expect(await other.listDecisions({ limit: 10 })).toEqual([]);
  });

  it('validates corrections read back: a malformed value is left out (the others answered), and deleting it answers null', async () => {
    const prefix = newPrefix();
    const client = await connect();
    const repo = new RedisPolicyStateRepository(client, prefix);
    await repo.saveCorrection(correction(1));
    await repo.saveCorrection(correction(2));
    const key = `${prefix}policy:corrections`;
    const garbage: Record<string, string> = {
      'not-json': '{"id": "not-json"',
      'not-an-object': '[1, 2]',
      'both-targets': JSON.stringify({ ...correction(3), slo: 'slo-3', service: 'checkout' }),
      'no-target': JSON.stringify({ ...correction(3), slo: undefined }),
      'bad-repeat': JSON.stringify({ ...correction(3), repeat: 'monthly' }),
      'too-long-to-repeat': JSON.stringify({ ...correction(3), durationMs: 7 * 86_400_000 }),
      'config-source': JSON.stringify({ ...correction(3), source: 'config' }),
      'string-start': JSON.stringify({ ...correction(3), startMs: '2026-11-21T10:00:00Z' }),
      'unknown-field': JSON.stringify({ ...correction(3), extra: true }),
    };
    for (const [field, value] of Object.entries(garbage)) await client.hset(key, field, value);

    expect(byId(await repo.listCorrections())).toEqual([correction(1), correction(2)]);
    expect(byId(await repo.listCorrections())).toEqual([correction(1), correction(2)]); // and again (logged once)
    // the garbage is not overwritten by a read; deleting it removes it, and answers null (nothing readable removed)
    expect(await client.hget(key, 'not-json')).toBe(garbage['not-json']);
    expect(await repo.deleteCorrection('not-json')).toBeNull();
    expect(await client.hexists(key, 'not-json')).toBe(0);
    expect(await repo.deleteCorrection('correction-1')).toEqual(correction(1));
    expect(await repo.listCorrections()).toEqual([correction(2)]);
  });

  it('recordDecision writes nothing when one of its keys cannot take it (all or nothing)', async () => {
    const prefix = newPrefix();
    const client = await connect();
    const repo = new RedisPolicyStateRepository(client, prefix);
    await client.set(`${prefix}policy:deploys:checkout`, 'not a list');
    await expect(repo.recordDecision(decision(2), deploy(2))).rejects.toBeInstanceOf(StateUnavailableError);
    expect(await repo.listDecisions({ limit: 10 })).toEqual([]);
    expect(await repo.listDecisions({ service: 'checkout', limit: 10 })).toEqual([]);
    // a decision without a deploy marker does not touch that key
    await repo.recordDecision(decision(1), null);
    expect(ids(await repo.listDecisions({ limit: 10 }))).toEqual(['decision-1']);
  });

  it('gateInputs answers a malformed evaluation as unreadable (naming hash and field) and the others as stored', async () => {
    const prefix = newPrefix();
    const client = await connect();
    const repo = new RedisPolicyStateRepository(client, prefix);
    await new RedisEvaluationRepository(client, prefix).saveAll([evaluatedRecord('slo-a', T0)]);
    await client.hset(`${prefix}eval:latest`, 'slo-b', '{"slo": "slo-b"');
    const { evaluations } = await repo.gateInputs(['slo-a', 'slo-b'], T0);
    expect(evaluations[0]).toEqual(evaluatedRecord('slo-a', T0));
    expect(evaluations[1]).toMatchObject({ slo: 'slo-b', numbers: null, unreadable: expect.stringContaining(`Redis hash "${prefix}eval:latest" field "slo-b"`) });
  });

  it("gateInputs runs the replica's state-integrity check: a vanished marker is a loss, told once and answered until accepted", async () => {
    const prefix = newPrefix();
    const client = await connect();
    const integrity = new RedisStateIntegrity(client, prefix);
    const told: StateLoss[] = [];
    integrity.onLossDetected = (loss) => told.push(loss);
    const repo = new RedisPolicyStateRepository(client, prefix, integrity);
    expect((await repo.gateInputs(['slo-a'], T0)).loss).toBeNull(); // writes the deployment's marker
    expect(await client.get(`${prefix}state:marker`)).not.toBeNull();
    await client.del(`${prefix}state:marker`);
    const loss = (await repo.gateInputs(['slo-a'], T0 + 5_000)).loss;
    expect(loss).toEqual({ lostAtMs: T0 + 5_000, reason: expect.stringContaining('the state marker vanished') });
    expect((await repo.gateInputs(['slo-a'], T0 + 9_000)).loss).toEqual(loss);
    expect(await integrity.check(T0 + 10_000)).toEqual(loss); // the same check, run on its own
    expect(told).toEqual([loss]);
    expect(await integrity.acceptLoss()).toEqual(loss);
    expect((await repo.gateInputs(['slo-a'], T0 + 11_000)).loss).toBeNull();
  });

  it('writes only keys under its prefix', async () => {
    const prefix = newPrefix();
    const client = await connect();
    const repo = new RedisPolicyStateRepository(client, prefix);
    await repo.saveFreeze(freeze(1));
    await repo.saveOverride(override(1));
    await repo.saveSilence(silence(1));
    await repo.saveCorrection(correction(1));
    await repo.appendDecision(decision(1));
    await repo.appendAdminChange(adminChange(1));
    await repo.recordDeploy(deploy(1));
    const keys = await client.keys(`*${prefix.slice(0, -1)}*`);
    expect(keys.length).toBeGreaterThanOrEqual(7);
    expect(keys).toContain(`${prefix}policy:silences`);
    expect(keys).toContain(`${prefix}policy:corrections`);
    for (const key of keys) expect(key.startsWith(prefix)).toBe(true);
  });

  it('rejects every call with StateUnavailableError while Redis is down (never "no data"), and recovers', async () => {
    const own = await startRedis(); // a server of its own: the shared one keeps serving the other tests
    const client = new Redis(own.url, redisOptions());
    try {
      await waitForRedis(client, 5_000);
      const repo = new RedisPolicyStateRepository(client, newPrefix());
      await repo.saveFreeze(freeze(1));
      await repo.appendDecision(decision(1));
      await own.kill();

      const calls: Array<[string, () => Promise<unknown>]> = [
        ['saveFreeze', () => repo.saveFreeze(freeze(2))],
        ['listFreezes', () => repo.listFreezes()],
        ['deleteFreeze', () => repo.deleteFreeze('freeze-1')],
        ['saveOverride', () => repo.saveOverride(override(1))],
        ['listOverrides', () => repo.listOverrides()],
        ['deleteOverride', () => repo.deleteOverride('override-1')],
        ['saveSilence', () => repo.saveSilence(silence(1))],
        ['listSilences', () => repo.listSilences()],
        ['deleteSilence', () => repo.deleteSilence('silence-1')],
        ['saveCorrection', () => repo.saveCorrection(correction(1))],
        ['listCorrections', () => repo.listCorrections()],
        ['deleteCorrection', () => repo.deleteCorrection('correction-1')],
        ['appendDecision', () => repo.appendDecision(decision(2))],
        ['listDecisions', () => repo.listDecisions({ limit: 10 })],
        ['listDecisions(service)', () => repo.listDecisions({ service: 'checkout', limit: 10 })],
        ['appendAdminChange', () => repo.appendAdminChange(adminChange(1))],
        ['listAdminChanges', () => repo.listAdminChanges(10)],
        ['recordDeploy', () => repo.recordDeploy(deploy(1))],
        ['listDeploys', () => repo.listDeploys('checkout', 10)],
        ['gateInputs', () => repo.gateInputs(['slo-a'], T0)],
        ['recordDecision', () => repo.recordDecision(decision(3), deploy(3))],
      ];
      for (const [name, call] of calls) {
        const outcome = await call().then(
          (value) => ({ resolved: value }),
          (error: unknown) => ({ rejected: error }),
        );
        expect([name, 'rejected' in outcome && outcome.rejected instanceof StateUnavailableError]).toEqual([name, true]);
        expect([name, (outcome as { rejected: StateUnavailableError }).rejected.code]).toEqual([name, 'state-unavailable']);
      }

      await own.restart(); // empty (no persistence): reads answer again, with nothing in them
      const deadline = Date.now() + 10_000;
      let listed: Freeze[] | null = null;
      while (listed === null && Date.now() < deadline) {
        listed = await repo.listFreezes().catch(() => null);
        if (listed === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(listed).toEqual([]);
    } finally {
      client.disconnect();
      await own.stop();
    }
  });
});
