'use strict';
/**
 * `npm run demo`'s plan and numbers in one place, for scripts/demo.js and test/e2e/demo.e2e.spec.ts
 * (docs/demo.md): the traffic plan (plan.js), SPEC §4's numbers over it (replay.js), the past it
 * imports (past-state.js), and the engine's compiled code they use (engine.js, from dist/).
 */
const engine = require('./engine');
const plan = require('./plan');
const replay = require('./replay');
const pastState = require('./past-state');

module.exports = {
  MINUTE_MS: plan.MINUTE_MS,
  HOUR_MS: plan.HOUR_MS,
  DAY_MS: plan.DAY_MS,
  MAX_BATCH: plan.MAX_BATCH,
  LIVE_BURN_MS: plan.LIVE_BURN_MS,
  demoPlan: plan.demoPlan,
  backfillEvents: plan.backfillEvents,
  liveCarry: plan.liveCarry,
  liveEvents: plan.liveEvents,
  batches: plan.batches,
  correctionRequest: plan.correctionRequest,
  countIndex: replay.countIndex,
  windowCounts: replay.windowCounts,
  remainingAt: replay.remainingAt,
  burnRateAt: replay.burnRateAt,
  zoneOf: replay.zoneOf,
  serviceZoneAt: replay.serviceZoneAt,
  ruleHolds: replay.ruleHolds,
  holdingRule: replay.holdingRule,
  replayAlert: replay.replayAlert,
  pastIncident: pastState.pastIncident,
  stateExport: pastState.stateExport,
  /** the example config as the engine loads it (policy.zones, policy.postmortems, the SLOs) */
  exampleConfig: engine.exampleConfig,
  durationMs: engine.durationMs,
  incidentIdOf: engine.incidentIdOf,
};
