'use strict';
/**
 * SPEC §4's numbers over the planned events of `npm run demo` (plan.js), for the past the demo
 * imports (state.js) and for the test that checks the plan: the events are counted here (an exact
 * count over `(end − w, end]`, corrected events left out); every number from the counts is the
 * engine's own code (engine.js): error ratio, remaining budget, burn rate, zones, whether a rule
 * holds, which rule fires a severity.
 */
const engine = require('./engine');

function sloOf(plan, id) {
  const slo = plan.slos.find((s) => s.id === id);
  if (!slo) throw new Error(`unknown SLO ${id}`);
  return slo;
}

/** Whether an event of this SLO at `ms` is inside the plan's correction (SPEC §4: as if it never happened). */
function corrected(plan, slo, ms) {
  const c = plan.correction;
  return engine.correctionCovers(c, slo) && ms >= c.startMs && ms < c.endMs;
}

/**
 * Prefix sums of events per SLO, corrected events left out, so that window counts are two binary
 * searches.
 */
function countIndex(plan, events) {
  const bySlo = new Map(plan.slos.map((slo) => [slo.id, []]));
  for (const e of events) {
    const slo = sloOf(plan, e.slo);
    const ms = Date.parse(e.timestamp);
    if (!corrected(plan, slo, ms)) bySlo.get(e.slo).push({ ms, good: e.good, total: e.total });
  }
  const index = new Map();
  for (const [id, list] of bySlo) {
    list.sort((a, b) => a.ms - b.ms);
    const ms = new Float64Array(list.length);
    const good = new Float64Array(list.length + 1);
    const total = new Float64Array(list.length + 1);
    list.forEach((e, i) => {
      ms[i] = e.ms;
      good[i + 1] = good[i] + e.good;
      total[i + 1] = total[i] + e.total;
    });
    index.set(id, { ms, good, total });
  }
  return index;
}

/** First position whose time is > `t`. */
function upperBound(ms, t) {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** good and total of events stamped in `(endMs − windowMs, endMs]`. */
function windowCounts(index, sloId, endMs, windowMs) {
  const i = index.get(sloId);
  const a = upperBound(i.ms, endMs - windowMs);
  const b = upperBound(i.ms, endMs);
  return { good: i.good[b] - i.good[a], total: i.total[b] - i.total[a] };
}

/** The error ratio over `window` (a duration string) ending at `atMs`; null without data. */
function errorRatioAt(plan, index, sloId, window, atMs) {
  const { good, total } = windowCounts(index, sloId, atMs, engine.durationMs(window));
  return engine.errorRatio(good, total);
}

/** remaining = 1 − r_W / e over the SLO's window ending at `atMs` (1 without data). */
function remainingAt(plan, index, sloId, atMs) {
  const slo = sloOf(plan, sloId);
  const { good, total } = windowCounts(index, sloId, atMs, slo.windowMs);
  return engine.budgetRemaining(good, total, slo.objective);
}

/** The burn rate over `window` (a duration string) ending at `atMs` (0 without data). */
function burnRateAt(plan, index, sloId, window, atMs) {
  const slo = sloOf(plan, sloId);
  const { good, total } = windowCounts(index, sloId, atMs, engine.durationMs(window));
  return engine.burnRate(good, total, slo.objective);
}

/** The zone of a remaining budget, with `zones` (default: policy.zones of the example config). */
function zoneOf(remaining, zones = engine.exampleConfig().policy.zones) {
  return engine.zoneForRemaining(remaining, zones);
}

/** A service's zone: the worst of its SLOs'. */
function serviceZoneAt(plan, index, service, atMs) {
  const zones = plan.slos.filter((s) => s.service === service).map((s) => zoneOf(remainingAt(plan, index, s.id, atMs), plan.zones));
  return engine.serviceZone(zones);
}

/** Counts of every window of an SLO's rules at `atMs`, by label. */
function ruleCounts(index, slo, atMs) {
  const counts = {};
  for (const rule of slo.rules) {
    for (const label of [rule.long, rule.short]) {
      if (!(label in counts)) counts[label] = windowCounts(index, slo.id, atMs, engine.durationMs(label));
    }
  }
  return counts;
}

/** Whether a rule holds at `atMs` (the engine's test; `previouslyHeld` counts only when the short window has no data). */
function ruleHolds(plan, index, sloId, rule, atMs, previouslyHeld = false) {
  const slo = sloOf(plan, sloId);
  const long = windowCounts(index, sloId, atMs, engine.durationMs(rule.long));
  const short = windowCounts(index, sloId, atMs, engine.durationMs(rule.short));
  return engine.ruleHolds(rule, slo.objective, slo.minEvents, { long, short }, previouslyHeld);
}

/** The engine's evaluation of an SLO's rules at `atMs` (`held` by rule key, and per severity the rule that fires it). */
function evaluateAt(plan, index, sloId, atMs, previous = {}) {
  const slo = sloOf(plan, sloId);
  return engine.evaluateRules(slo.rules, slo.objective, slo.minEvents, ruleCounts(index, slo, atMs), previous);
}

/** The rule firing `severity` at `atMs` (no previous evaluation), or null. */
function holdingRule(plan, index, sloId, severity, atMs) {
  return evaluateAt(plan, index, sloId, atMs).firingRules[severity];
}

/**
 * Replays the `severity` alert of an SLO at evaluations every `stepMs` (default: the example's
 * interval) in `[fromMs, toMs]`, each evaluation given the rules held at the one before, as the
 * engine does: the periods it fires, `{firedAtMs, resolvedAtMs (null: still firing at toMs), rule}`
 * (`rule`: the one that fired it).
 */
function replayAlert(plan, index, sloId, severity, fromMs, toMs, stepMs = plan.replayStepMs) {
  const periods = [];
  let open = null;
  let held = {};
  for (let t = fromMs; t <= toMs; t += stepMs) {
    const evaluation = evaluateAt(plan, index, sloId, t, held);
    held = evaluation.held;
    const rule = evaluation.firingRules[severity];
    if (rule && !open) {
      open = { firedAtMs: t, resolvedAtMs: null, rule: { ...rule } };
      periods.push(open);
    } else if (!rule && open) {
      open.resolvedAtMs = t;
      open = null;
    }
  }
  return periods;
}

module.exports = {
  sloOf,
  countIndex,
  windowCounts,
  errorRatioAt,
  remainingAt,
  burnRateAt,
  zoneOf,
  serviceZoneAt,
  ruleHolds,
  holdingRule,
  replayAlert,
};
