import type Redis from 'ioredis';
import type { CycleSummary } from '../../src/cycle/evaluation-cycle';
import { ALERT_STATE_REPOSITORY, type AlertStateRepository } from '../../src/alerting/ports/alert-state.repository';
import { StateUnavailableError } from '../../src/common/domain-error';
import { pdEvents } from '../helpers/alerting';
import type { LoopbackReceiver } from '../helpers/receivers';
import { useTestRedis } from '../helpers/redis-server';
import type { TestApp } from '../helpers/test-app';
import { useHeartbeatRig } from '../helpers/heartbeat-rig';

/**
 * SPEC §6 and §12: the heartbeat (dead man's switch) is never sent after a cycle whose alerting
 * step failed — here because the alert-state store fails for every SLO, for real (the Redis key
 * holding the alert states replaced by a value of the wrong type) and as a store whose commits are
 * refused — and it resumes at the first cycle after recovery. Pages held back meanwhile are
 * recorded and sent then.
 */
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const PAGE = 'slo-engine/search-fast/page';

const redis = useTestRedis();
const rig = useHeartbeatRig(redis, { name: 'heartbeat' });
const cycleAt = rig.cycleAt;
let pd: LoopbackReceiver;
let slack: LoopbackReceiver;
let t: TestApp;
let client: Redis;
let prefix: string;
let pings: number[];

beforeEach(() => {
  ({ t, pd, slack, client, prefix, pings } = rig.current());
});

it('pings every interval while alerting runs (the baseline)', async () => {
  for (let at = T0; at <= T0 + 30 * SECOND; at += 10 * SECOND) await cycleAt(at, 10);
  expect(pings).toEqual([T0, T0 + 10 * SECOND, T0 + 20 * SECOND, T0 + 30 * SECOND]);
});

it('sends no heartbeat while the alert states cannot be read at all (the Redis key holds the wrong type), and resumes after', async () => {
  await cycleAt(T0, 10);
  expect(pings).toEqual([T0]);

  await client.set(`${prefix}alerts:state`, 'not a hash');
  const failing: CycleSummary[] = [];
  for (let at = T0 + 10 * SECOND; at <= T0 + 2 * MINUTE; at += 10 * SECOND) failing.push(await cycleAt(at, 0)); // search-fast burns meanwhile
  expect(pings).toEqual([T0]);
  for (const summary of failing) {
    expect(summary.error).toBeUndefined(); // evaluation ran
    expect((summary.steps?.alerts as { error?: string }).error).toMatch(/alert states/);
    expect(summary.steps?.heartbeat).toEqual({ skipped: 'alerts did not succeed' });
  }
  expect(pdEvents(pd)).toEqual([]); // nothing could be recorded

  await client.del(`${prefix}alerts:state`);
  const recovered = T0 + 2 * MINUTE + 10 * SECOND;
  const summary = await cycleAt(recovered, 0);
  expect(summary.steps?.heartbeat).toEqual({ sent: true });
  expect(pings).toEqual([T0, recovered]);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]); // the page held back is recorded and sent now
});

it('sends no heartbeat after a cycle whose commit of alert states was refused, and resumes after', async () => {
  const store = t.app.get<AlertStateRepository>(ALERT_STATE_REPOSITORY);
  const commit = jest.spyOn(store, 'commit').mockRejectedValue(new StateUnavailableError('state store unavailable (commit alert states): READONLY'));
  const refusedAt: number[] = [];
  for (let at = T0; at <= T0 + 2 * MINUTE; at += 10 * SECOND) {
    const summary = await cycleAt(at, 0); // 100% errors: the page holds from T0 + 60 s, and its commit is refused from then on
    if ((summary.steps?.alerts as { error?: string }).error !== undefined) {
      refusedAt.push(at);
      expect(summary.steps?.heartbeat).toEqual({ skipped: 'alerts did not succeed' });
    } else {
      expect(summary.steps?.heartbeat).toEqual({ sent: true });
    }
  }
  expect(refusedAt).toEqual([60, 70, 80, 90, 100, 110, 120].map((s) => T0 + s * SECOND));
  expect(pings).toEqual([0, 10, 20, 30, 40, 50].map((s) => T0 + s * SECOND));
  expect(pdEvents(pd)).toEqual([]);

  commit.mockRestore();
  const recovered = T0 + 2 * MINUTE + 10 * SECOND;
  expect((await cycleAt(recovered, 0)).steps?.heartbeat).toEqual({ sent: true });
  expect(pings.at(-1)).toBe(recovered);
  expect(pdEvents(pd)).toEqual([`trigger ${PAGE}`]);
});
