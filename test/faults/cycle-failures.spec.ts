import { ALERT_STATE_REPOSITORY, type AlertStateRepository } from '../../src/alerting/ports/alert-state.repository';
import { StateUnavailableError } from '../../src/common/domain-error';
import { EvaluationCycle } from '../../src/cycle/evaluation-cycle';
import { EVALUATION_REPOSITORY, type EvaluationRepository } from '../../src/slo/ports/evaluation.repository';
import { TOKENS } from '../helpers/configs';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * SPEC §9, §12: a cycle's failures are counted by step in `slo_engine_cycle_failures_total{step}`
 * (`evaluate` when the records cannot be saved, `alerts` when the alerting step fails — the steps it
 * makes skip are not failures of their own), and
 * `slo_engine_last_successful_cycle_timestamp_seconds` is the evaluation time of the last cycle whose
 * alerting step succeeded: it stands still while cycles fail, so an alert on its age sees them.
 */
const SECOND = 1_000;
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

let t: TestApp;

afterEach(async () => {
  await t?.close();
});

async function metrics(): Promise<Map<string, number>> {
  const text = String((await t.request({ url: '/metrics', token: TOKENS.reader })).body);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(slo_engine_(?:cycle_failures_total|last_successful_cycle_timestamp_seconds)(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) out.set(match[1], Number(match[2]));
  }
  return out;
}

it('counts a failed evaluation as step="evaluate" and a failed alerting step as step="alerts"; the last successful cycle stands still meanwhile', async () => {
  t = await startTestApp(
    `slos:
  - { id: checkout-availability, service: checkout, objective: 99, window: 1d, sli: { source: events } }
auth:
  tokens:
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
server:
  evaluationInterval: 10s
`,
    { nowMs: T0 },
  );
  const cycle = t.app.get(EvaluationCycle);
  const zero = new Map([
    ['slo_engine_cycle_failures_total{step="evaluate"}', 0],
    ['slo_engine_cycle_failures_total{step="alerts"}', 0],
    ['slo_engine_cycle_failures_total{step="incidents"}', 0],
    ['slo_engine_cycle_failures_total{step="heartbeat"}', 0],
    ['slo_engine_cycle_failures_total{step="stalled"}', 0],
    ['slo_engine_last_successful_cycle_timestamp_seconds', 0],
  ]);
  expect(await metrics()).toEqual(zero); // every series exists before the first failure

  expect(await cycle.runCycle(T0)).toMatchObject({ failures: [], alerted: true });
  expect((await metrics()).get('slo_engine_last_successful_cycle_timestamp_seconds')).toBe(T0 / 1000);

  const saveAll = jest
    .spyOn(t.app.get<EvaluationRepository>(EVALUATION_REPOSITORY), 'saveAll')
    .mockRejectedValueOnce(new StateUnavailableError('state store unavailable (save evaluations): ECONNREFUSED'));
  expect(await cycle.runCycle(T0 + 10 * SECOND)).toMatchObject({ failures: ['evaluate'], alerted: false, error: expect.stringMatching(/ECONNREFUSED/) });
  saveAll.mockRestore();

  const loadAll = jest
    .spyOn(t.app.get<AlertStateRepository>(ALERT_STATE_REPOSITORY), 'loadAll')
    .mockRejectedValueOnce(new StateUnavailableError('state store unavailable (load alert states): ECONNREFUSED'));
  const failedAlerts = await cycle.runCycle(T0 + 20 * SECOND);
  expect(failedAlerts).toMatchObject({ failures: ['alerts'], alerted: false, steps: { incidents: { skipped: 'alerts did not succeed' }, heartbeat: { skipped: 'alerts did not succeed' } } });
  loadAll.mockRestore();

  expect(await metrics()).toEqual(
    new Map([
      ...zero,
      ['slo_engine_cycle_failures_total{step="evaluate"}', 1],
      ['slo_engine_cycle_failures_total{step="alerts"}', 1],
      ['slo_engine_last_successful_cycle_timestamp_seconds', T0 / 1000],
    ]),
  );

  expect(await cycle.runCycle(T0 + 30 * SECOND)).toMatchObject({ failures: [], alerted: true });
  expect((await metrics()).get('slo_engine_last_successful_cycle_timestamp_seconds')).toBe((T0 + 30 * SECOND) / 1000);
});
