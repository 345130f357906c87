'use strict';
/**
 * The past of `npm run demo` that events cannot carry, as a state export (`PUT /v1/admin/state`,
 * SPEC §5): search's resolved incident with its postmortem, and the past deploys with their gate
 * decisions. Both are made by the engine's own code (engine.js) from the planned events (plan.js,
 * replay.js): the incident by its lifecycle (SPEC §13) stepped through the replayed page, the
 * decisions by the deploy gate's policy (SPEC §7).
 */
const engine = require('./engine');
const { DAY_MS, MINUTE_MS, HOUR_MS, iso } = require('./plan');
const { countIndex, errorRatioAt, remainingAt, replayAlert, serviceZoneAt, sloOf, zoneOf } = require('./replay');

const POSTMORTEM_SUMMARY =
  'search 4.2.0 failed queries at five times the allowed rate for a day, until 4.2.1 fixed it; the index rebuild of 4.2.1 then took shards offline and 85% of queries failed for 40 minutes, until the rollback to 4.1.3.';

/** When the errors began: the engine's search back from `detectedAtMs` over the 5m error ratio, on a 10 s grid. */
function startedAtOf(plan, index, slo, rule, detectedAtMs) {
  const instants = engine.gridInstants(detectedAtMs, engine.searchBoundMs(engine.durationMs(rule.long)));
  const ratios = instants.map((t) => errorRatioAt(plan, index, slo.id, engine.SEARCH_WINDOW, t));
  return engine.startedAtFrom(instants, ratios, engine.allowedErrorRatio(slo.objective));
}

/**
 * The past outage of search as the incident of SPEC §13 (the API's view of it), replayed from the
 * planned events at the example's evaluation interval: the page's firing opens it, each evaluation
 * until the page resolves updates it (zone changes), then its numbers (startedAt, the budget it
 * cost, whether a postmortem is required), and a postmortem written by sre a day after it resolved.
 */
function pastIncident(plan, index) {
  const { slo: sloId, service, startMs, rollbackMs } = plan.outage;
  const slo = sloOf(plan, sloId);
  const stepMs = plan.replayStepMs;
  const [page] = replayAlert(plan, index, sloId, 'page', startMs - 30 * MINUTE_MS, rollbackMs + 3 * HOUR_MS, stepMs);
  if (!page || page.resolvedAtMs === null) throw new Error('the planned outage does not page and resolve');
  const detectedAtMs = page.firedAtMs;
  const resolvedAtMs = page.resolvedAtMs;
  const firing = { slo: sloId, service, sinceMs: detectedAtMs, rule: engine.ruleKey(page.rule) };
  const step = (nowMs, open) =>
    engine.serviceStep({
      service,
      nowMs,
      pages: nowMs < resolvedAtMs ? [firing] : [],
      open,
      zone: serviceZoneAt(plan, index, service, nowMs),
      policy: plan.postmortems,
      idOf: engine.incidentIdOf,
    });

  const opened = step(detectedAtMs, null);
  if (opened.kind !== 'open') throw new Error('the replayed page does not open an incident');
  let incident = opened.incident;
  for (let t = detectedAtMs + stepMs; t <= resolvedAtMs; t += stepMs) {
    const next = step(t, incident);
    if (next.kind === 'update') incident = next.incident;
  }
  if (incident.state !== 'resolved') throw new Error('the replayed incident does not resolve');

  const found = startedAtOf(plan, index, slo, page.rule, detectedAtMs);
  incident = engine.withStartedAt(incident, found);
  const consumed = engine.budgetConsumed(remainingAt(plan, index, sloId, incident.startedAtMs), remainingAt(plan, index, sloId, resolvedAtMs));
  incident = engine.withResolveNumbers(incident, new Map([[sloId, consumed]]), plan.postmortems);

  const writtenAtMs = resolvedAtMs + DAY_MS;
  incident = engine.writePostmortem(
    incident,
    {
      url: `https://wiki.example/postmortems/${iso(detectedAtMs).slice(0, 10)}-search-outage`,
      summary: POSTMORTEM_SUMMARY,
      actionItems: [
        { title: 'Alert on unavailable index shards before queries fail', owner: 'discovery-oncall', dueAtMs: resolvedAtMs + 3 * DAY_MS, category: 'detection', done: true },
        { title: 'Canary search releases on 5% of traffic for an hour', owner: 'discovery', dueAtMs: plan.t0 + 14 * DAY_MS, category: 'prevention', done: false },
        { title: 'One-command rollback for search', owner: 'platform', dueAtMs: plan.t0 + 21 * DAY_MS, category: 'mitigation', done: false },
      ],
    },
    'sre',
    writtenAtMs,
  );
  return engine.incidentView(incident, plan.t0);
}

/** A past deploy as the gate recorded it: the decision (audit) and the deploy marker, with the budget then. */
function pastDeploy(plan, index, deploy, n) {
  const decisionId = `demo-${String(n + 1).padStart(4, '0')}-${deploy.service}-${deploy.version}`;
  const at = iso(deploy.atMs);
  const standings = plan.slos
    .filter((s) => s.service === deploy.service)
    .map((s) => {
      const remaining = Math.round(remainingAt(plan, index, s.id, deploy.atMs) * 10_000) / 10_000;
      return { slo: s.id, zone: zoneOf(remaining, plan.zones), remaining };
    });
  const outcome = engine.decideGate({
    service: deploy.service,
    changeType: deploy.changeType,
    slos: standings,
    freezes: [],
    overrides: [],
    onUnknown: plan.onUnknown,
    thresholds: plan.zones,
  });
  if (outcome.decision !== 'allow') throw new Error(`the planned deploy ${deploy.service} ${deploy.version} would be denied: ${outcome.reasons.join('; ')}`);
  const slos = outcome.slos.map((s) => ({ slo: s.slo, zone: s.zone, remaining: s.remaining }));
  const decision = {
    decisionId,
    at,
    service: deploy.service,
    changeType: deploy.changeType,
    version: deploy.version,
    environment: 'production',
    requestedBy: 'ci',
    token: 'ci',
    decision: outcome.decision,
    zone: outcome.zone,
    reasons: outcome.reasons,
    warnings: outcome.warnings,
    slos,
    overrideId: null,
    freezeIds: [],
  };
  const marker = {
    decisionId,
    at,
    service: deploy.service,
    version: deploy.version,
    changeType: deploy.changeType,
    environment: 'production',
    requestedBy: 'ci',
    slos: slos.map((s) => ({ slo: s.slo, remaining: s.remaining })),
  };
  return { decision, marker };
}

/**
 * The state export (`PUT /v1/admin/state`, SPEC §5) that brings the past the events cannot: the
 * resolved incident of search with its postmortem, and the past deploys with their decisions.
 * Merged by key into whatever the service holds.
 */
function stateExport(plan, events) {
  const index = countIndex(plan, events);
  const deploys = plan.pastDeploys.map((d, n) => pastDeploy(plan, index, d, n)).reverse(); // newest first
  return {
    format: 1,
    exportedAt: iso(plan.t0),
    freezes: [],
    overrides: [],
    silences: [],
    alerts: [],
    deliveries: [],
    audit: { decisions: deploys.map((d) => d.decision), adminChanges: [] },
    deploys: deploys.map((d) => d.marker),
    incidents: [pastIncident(plan, index)],
  };
}

module.exports = { pastIncident, pastDeploy, stateExport };
