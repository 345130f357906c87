'use strict';
/**
 * The engine's own code for `npm run demo`: the compiled modules of src/ (dist/, CommonJS, from
 * `npm run build`, which `npm run demo` runs first when needed), required once here, and the
 * bundled example config (config/example.yaml) read through the engine's config loader. The demo's
 * numbers (durations, budgets, burn rates, zones, rules, the incident, the gate) are the engine's,
 * not copies of them.
 */
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
/** The config the demo runs the service on. */
const CONFIG_PATH = join(ROOT, 'config', 'example.yaml');

/** A compiled module of src/, or a clear error when dist/ is missing or incomplete. */
function fromDist(path) {
  const file = join(DIST, path);
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(file)) {
      const missing = new Error(`dist/${path}.js is missing: run npm run build first (npm run demo builds when needed)`);
      missing.code = 'DEMO_NOT_BUILT';
      throw missing;
    }
    throw error;
  }
}

const duration = fromDist('common/duration');
const incidentId = fromDist('common/incident-id');
const zones = fromDist('slo/domain/zones');
const budgetMath = fromDist('slo/domain/budget-math');
const ruleEvaluation = fromDist('slo/domain/rule-evaluation');
const corrections = fromDist('slo/domain/corrections');
const ingestApi = fromDist('sources/events/ingest-api.schema');
const configLoader = fromDist('config/config.loader');
const lifecycle = fromDist('incidents/domain/lifecycle');
const postmortem = fromDist('incidents/domain/postmortem');
const startedAt = fromDist('incidents/domain/started-at');
const incidentView = fromDist('incidents/incident-view');
const gatePolicy = fromDist('policies/domain/gate-policy');

let loaded = null;

/**
 * config/example.yaml as the engine loads it (SLOs with their rules in force: their own, or the
 * default table of src/config/default-rules.ts less rows longer than the window; `policy`;
 * `server.evaluationInterval`). Read with an empty environment: the file's own values (and
 * `${VAR:-default}` defaults), whatever the shell sets; the plan only uses the SLOs and the policy,
 * which no variable of the example changes.
 */
function exampleConfig() {
  if (loaded === null) loaded = configLoader.loadConfig({ path: CONFIG_PATH, env: {} });
  return loaded;
}

module.exports = {
  CONFIG_PATH,
  exampleConfig,
  // src/common/duration.ts
  durationMs: duration.durationMs,
  // src/common/incident-id.ts
  incidentIdOf: incidentId.incidentIdOf,
  // src/slo/domain/zones.ts
  zoneForRemaining: zones.zoneForRemaining,
  serviceZone: zones.serviceZone,
  // src/slo/domain/budget-math.ts
  errorRatio: budgetMath.errorRatio,
  allowedErrorRatio: budgetMath.allowedErrorRatio,
  burnRate: budgetMath.burnRate,
  budgetRemaining: budgetMath.budgetRemaining,
  // src/slo/domain/rule-evaluation.ts
  ruleHolds: ruleEvaluation.ruleHolds,
  evaluateRules: ruleEvaluation.evaluateRules,
  ruleKey: ruleEvaluation.ruleKey,
  // src/slo/domain/corrections.ts
  correctionCovers: corrections.correctionCovers,
  // src/sources/events/ingest-api.schema.ts: the most events one POST /v1/events takes
  MAX_EVENTS_PER_REQUEST: ingestApi.MAX_EVENTS_PER_REQUEST,
  // src/incidents/domain/lifecycle.ts, postmortem.ts, started-at.ts; src/incidents/incident-view.ts
  serviceStep: lifecycle.serviceStep,
  withStartedAt: lifecycle.withStartedAt,
  withResolveNumbers: lifecycle.withResolveNumbers,
  budgetConsumed: lifecycle.budgetConsumed,
  writePostmortem: postmortem.writePostmortem,
  gridInstants: startedAt.gridInstants,
  searchBoundMs: startedAt.searchBoundMs,
  startedAtFrom: startedAt.startedAtFrom,
  SEARCH_WINDOW: startedAt.SEARCH_WINDOW,
  incidentView: incidentView.incidentView,
  // src/policies/domain/gate-policy.ts
  decideGate: gatePolicy.decideGate,
};
