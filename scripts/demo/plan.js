'use strict';
/**
 * The traffic plan of `npm run demo` (scripts/demo.js): which events to send for which SLO of the
 * bundled example config (config/example.yaml) at which timestamps. Plain functions, no I/O,
 * deterministic for a given start time `t0`, so that a test can check the plan (see docs/demo.md):
 *
 * - checkout: healthy, both SLOs in the normal zone;
 * - search: a bad release 5 days ago (errors at 5× the allowed rate for a day, until a fix), then
 *   an outage 3 days ago (85% of queries failing for 40 minutes, until a rollback) that paged: the
 *   past incident, imported with its postmortem; a planned maintenance 2 days ago whose errors a
 *   correction takes out. search-availability is left with about 39% of its budget: caution zone;
 * - payments-api: release 7.3.0 43 minutes before the start, failing 1% of calls since 41 minutes
 *   before it (the 1h burn rate is just under 14.4 at the start); live traffic fails 8% of calls for
 *   30 minutes, so the 14.4× 1h/5m page rule of payments-api-availability holds within about a
 *   minute of the start; then the errors stop and the page resolves about half an hour later.
 *
 * Events: one per SLO per slice, `{slo, good, total, timestamp}`; slices of 10 minutes over the
 * window, of 1 minute over the last day and around the outage (so 5m windows always have data),
 * cut at every episode and correction edge; traffic follows a daily shape (peak 15:00 UTC, trough
 * 03:00 UTC) with a little deterministic noise. Fractions of events carry over from one slice to
 * the next, so integer counts keep the planned ratios.
 *
 * The SLOs (ids, services, objectives, windows, rules in force, minEvents) and the policy (zones,
 * postmortems, onUnknown, evaluation interval) are the example config's, as the engine loads it
 * (engine.js); only the traffic of each SLO is the demo's.
 */
const engine = require('./engine');

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The ingest limit of POST /v1/events (SPEC §5), the engine's. */
const MAX_BATCH = engine.MAX_EVENTS_PER_REQUEST;
/** The backfill starts this long inside each SLO's window (events older than the retention are refused). */
const RETENTION_MARGIN_MS = 10 * MINUTE_MS;
/** Slice widths of the backfill. */
const COARSE_MS = 10 * MINUTE_MS;
const FINE_MS = MINUTE_MS;
/** How long the live burn of payments-api lasts before it recovers. */
const LIVE_BURN_MS = 30 * MINUTE_MS;

/** The demo's traffic for each SLO of config/example.yaml: requests per minute (on average) and the usual bad ratio. */
const TRAFFIC = {
  'checkout-availability': { ratePerMinute: 600, baseBadRatio: 0.0002 },
  'checkout-latency': { ratePerMinute: 600, baseBadRatio: 0.0025 },
  'search-availability': { ratePerMinute: 900, baseBadRatio: 0.001 },
  'search-latency': { ratePerMinute: 900, baseBadRatio: 0.01 },
  'payments-api-availability': { ratePerMinute: 120, baseBadRatio: 0.0001 },
};

const iso = (ms) => new Date(ms).toISOString();

/** A deterministic number in [0, 1) for (seed, n). */
function noise(seed, n) {
  let x = (Math.imul(seed + 1, 0x9e3779b1) ^ n) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** Traffic multiplier of the hour of day (UTC): 1.4 at 15:00, 0.6 at 03:00, 1 on average. */
function dailyShape(ms) {
  const hour = (ms % DAY_MS) / HOUR_MS;
  return 1 + 0.4 * Math.cos((2 * Math.PI * (hour - 15)) / 24);
}

/** The example config's SLOs with the demo's traffic; the rules as written (`{severity, burnRate, long, short}`). */
function plannedSlos(config) {
  return config.slos.map((slo, seed) => {
    const traffic = TRAFFIC[slo.id];
    if (!traffic || slo.sli.source !== 'events' || slo.calendar) {
      throw new Error(`the demo has no traffic for SLO ${slo.id} of ${engine.CONFIG_PATH} (scripts/demo/plan.js plans rolling events SLOs)`);
    }
    return {
      id: slo.id,
      service: slo.service,
      objective: slo.objective,
      window: slo.window,
      windowMs: slo.windowMs,
      rules: slo.alerting.rules.map(({ severity, burnRate, long, short }) => ({ severity, burnRate, long, short })),
      minEvents: slo.alerting.minEvents,
      ...traffic,
      seed,
    };
  });
}

/**
 * The demo's scenario for a start at `t0` (ms): the SLOs with their error episodes (times in ms;
 * a ratio per SLO), the correction, the deploys, the live requests, and the policy. Past events of
 * search are placed on the UTC day grid (so the budget they cost does not depend on the hour the
 * demo starts); those of payments-api are relative to `t0` (so the page fires at a known time after the start).
 */
function demoPlan(t0) {
  if (!Number.isFinite(t0)) throw new Error('demoPlan needs a start time in ms');
  const config = engine.exampleConfig();
  const day = Math.floor(t0 / DAY_MS) * DAY_MS;
  // search: release 4.2.0 (day −5, 10:00 UTC) with errors until the fix 4.2.1 a day later; the
  // outage of 4.2.1's index rebuild (day −3, 14:10–14:50) until the rollback to 4.1.3; maintenance (day −2)
  const badRelease = day - 5 * DAY_MS + 10 * HOUR_MS;
  const fix = day - 4 * DAY_MS + 10 * HOUR_MS;
  const outageStart = day - 3 * DAY_MS + 14 * HOUR_MS + 10 * MINUTE_MS;
  const rollback = outageStart + 40 * MINUTE_MS;
  const maintenanceStart = day - 2 * DAY_MS + 2 * HOUR_MS;
  const maintenanceEnd = maintenanceStart + HOUR_MS;
  // payments-api: release 7.3.0 at t0 − 43 min, failing 1% of calls since t0 − 41 min; live: 8% for 30 min
  const paymentsRelease = t0 - 43 * MINUTE_MS;
  const paymentsErrors = t0 - 41 * MINUTE_MS;

  const episodes = {
    'search-availability': [
      { fromMs: badRelease + 5 * MINUTE_MS, toMs: fix, badRatio: 0.025, what: 'search 4.2.0: errors at 5× the allowed rate' },
      { fromMs: outageStart, toMs: rollback, badRatio: 0.85, what: 'search outage: index shards unavailable' },
      { fromMs: maintenanceStart, toMs: maintenanceEnd, badRatio: 0.3, what: 'planned maintenance (corrected)' },
    ],
    'search-latency': [
      { fromMs: badRelease + 5 * MINUTE_MS, toMs: fix, badRatio: 0.03, what: 'search 4.2.0: slower queries' },
      { fromMs: outageStart, toMs: rollback, badRatio: 0.3, what: 'search outage' },
      { fromMs: maintenanceStart, toMs: maintenanceEnd, badRatio: 0.3, what: 'planned maintenance (corrected)' },
    ],
    'payments-api-availability': [
      // no error at all in the 2 hours before: none leaves the 1h window while it nears 14.4× (no flapping page)
      { fromMs: paymentsErrors - 2 * HOUR_MS, toMs: paymentsErrors, badRatio: 0, what: 'payments-api 7.2.4: clean' },
      { fromMs: paymentsErrors, toMs: t0, badRatio: 0.01, what: 'payments-api 7.3.0: 1% of calls fail' },
      { fromMs: t0, toMs: t0 + LIVE_BURN_MS, badRatio: 0.08, what: 'payments-api 7.3.0: 8% of calls fail (live)' },
    ],
  };
  const { zones, postmortems, onUnknown } = config.policy;
  return {
    t0,
    slos: plannedSlos(config).map((slo) => ({ ...slo, episodes: episodes[slo.id] ?? [] })),
    /** policy.zones of the example config */
    zones: { ...zones },
    /** policy.postmortems of the example config, `due` in ms (the engine's PostmortemPolicy) */
    postmortems: { budgetThreshold: postmortems.budgetThreshold, inFreeze: postmortems.inFreeze, dueMs: engine.durationMs(postmortems.due), gate: postmortems.gate },
    onUnknown,
    /** the example's evaluation interval (server.evaluationInterval of the file): the step the past is replayed at */
    replayStepMs: config.server.evaluationIntervalMs,
    correction: {
      service: 'search',
      startMs: maintenanceStart,
      endMs: maintenanceEnd,
      reason: 'planned maintenance: search index rebuild (errors expected, not counted)',
    },
    outage: { service: 'search', slo: 'search-availability', startMs: outageStart, rollbackMs: rollback },
    /** deploys recorded before the start (imported with the state), oldest first */
    pastDeploys: [
      { service: 'search', version: '4.1.3', changeType: 'feature', atMs: day - 12 * DAY_MS + 10 * HOUR_MS },
      { service: 'payments-api', version: '7.2.4', changeType: 'feature', atMs: day - 6 * DAY_MS + 11 * HOUR_MS },
      { service: 'checkout', version: '3.8.0', changeType: 'feature', atMs: day - 5 * DAY_MS + 10 * HOUR_MS + 30 * MINUTE_MS },
      { service: 'search', version: '4.2.0', changeType: 'feature', atMs: badRelease },
      { service: 'search', version: '4.2.1', changeType: 'fix', atMs: fix - 5 * MINUTE_MS },
      { service: 'search', version: '4.1.3', changeType: 'rollback', atMs: rollback - MINUTE_MS },
      { service: 'payments-api', version: '7.3.0', changeType: 'feature', atMs: paymentsRelease },
    ],
    /** gate requests the demo sends once the backfill is evaluated */
    liveGate: [
      { service: 'checkout', changeType: 'feature', version: '3.9.0', environment: 'production', requestedBy: 'demo' },
      { service: 'search', changeType: 'db-migration', version: '4.1.4', environment: 'production', requestedBy: 'demo' },
    ],
  };
}

/** The bad ratio of an SLO at `ms` (the last episode covering it, else its noisy base ratio). */
function badRatioAt(slo, ms) {
  let ratio = null;
  for (const e of slo.episodes) if (ms >= e.fromMs && ms < e.toMs) ratio = e.badRatio;
  if (ratio !== null) return ratio;
  return slo.baseBadRatio * (0.4 + 1.2 * noise(slo.seed, Math.floor(ms / COARSE_MS)));
}

/** Requests per minute of an SLO at `ms`. */
function ratePerMinuteAt(slo, ms) {
  return slo.ratePerMinute * dailyShape(ms) * (0.95 + 0.1 * noise(slo.seed + 100, Math.floor(ms / COARSE_MS)));
}

/** Integer counts for a slice of expected `total` and `bad`, fractions carried in `carry` ({total, bad}). */
function emit(carry, expectedTotal, expectedBad) {
  carry.total += expectedTotal;
  const total = Math.floor(carry.total);
  carry.total -= total;
  carry.bad += expectedBad;
  const bad = Math.min(total, Math.floor(carry.bad));
  carry.bad -= bad;
  return { good: total - bad, total };
}

function sliceEvent(slo, carry, fromMs, toMs) {
  const mid = Math.floor((fromMs + toMs) / 2);
  const expectedTotal = (ratePerMinuteAt(slo, mid) * (toMs - fromMs)) / MINUTE_MS;
  const { good, total } = emit(carry, expectedTotal, expectedTotal * badRatioAt(slo, mid));
  return total > 0 ? { slo: slo.id, good, total, timestamp: iso(mid) } : null;
}

/** Slice edges of an SLO's backfill: the coarse grid, the fine grid where wanted, episode and correction edges, t0. */
function sliceEdges(plan, slo) {
  const { t0 } = plan;
  const start = Math.ceil((t0 - slo.windowMs + RETENTION_MARGIN_MS) / COARSE_MS) * COARSE_MS;
  const edges = new Set([start, t0]);
  for (let t = start; t < t0; t += COARSE_MS) edges.add(t);
  const fine = [
    [t0 - DAY_MS, t0],
    [plan.outage.startMs - 3 * HOUR_MS, plan.outage.rollbackMs + 3 * HOUR_MS],
  ];
  for (const [a, b] of fine) for (let t = Math.ceil(Math.max(a, start) / FINE_MS) * FINE_MS; t < Math.min(b, t0); t += FINE_MS) edges.add(t);
  const cuts = [...slo.episodes.flatMap((e) => [e.fromMs, e.toMs]), plan.correction.startMs, plan.correction.endMs];
  for (const t of cuts) if (t > start && t < t0) edges.add(t);
  return [...edges].sort((a, b) => a - b);
}

/** Every backfill event (all before t0, inside each SLO's retention), oldest first. */
function backfillEvents(plan) {
  const events = [];
  for (const slo of plan.slos) {
    const carry = { total: 0, bad: 0 };
    const edges = sliceEdges(plan, slo);
    for (let i = 0; i + 1 < edges.length; i++) {
      const event = sliceEvent(slo, carry, edges[i], edges[i + 1]);
      if (event) events.push(event);
    }
  }
  return events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

/** A carry for `liveEvents`: one per SLO. */
function liveCarry(plan) {
  return Object.fromEntries(plan.slos.map((slo) => [slo.id, { total: 0, bad: 0 }]));
}

/** Events of every SLO for the live traffic of `[fromMs, toMs)` (one per SLO, stamped at the middle). */
function liveEvents(plan, fromMs, toMs, carry) {
  if (!(toMs > fromMs)) return [];
  const events = [];
  for (const slo of plan.slos) {
    const event = sliceEvent(slo, carry[slo.id], fromMs, toMs);
    if (event) events.push(event);
  }
  return events;
}

/** Batches of at most `size` events. */
function batches(events, size = MAX_BATCH) {
  const out = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}

/** The body of `POST /v1/corrections` for the plan's maintenance. */
function correctionRequest(plan) {
  const c = plan.correction;
  return { service: c.service, start: iso(c.startMs), end: iso(c.endMs), reason: c.reason };
}

module.exports = {
  SECOND_MS,
  MINUTE_MS,
  HOUR_MS,
  DAY_MS,
  MAX_BATCH,
  LIVE_BURN_MS,
  iso,
  demoPlan,
  backfillEvents,
  liveCarry,
  liveEvents,
  batches,
  correctionRequest,
};
