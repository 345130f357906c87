#!/usr/bin/env node
'use strict';
/**
 * `npm run demo` (SPEC §9): the service on the bundled example config (config/example.yaml) with
 * in-memory state, and a traffic generator that fills the board with data at once (docs/demo.md):
 *
 * 1. starts `node dist/main.js` (`npm run demo` builds first when needed) on PORT (default 8080),
 *    LOG_LEVEL warn unless set (the demo prints what happens itself), and waits for /readyz;
 * 2. creates a correction (search's planned maintenance 2 days ago), then backfills every SLO's
 *    window through POST /v1/events, and imports the past the events cannot carry (search's
 *    resolved incident with its postmortem, past deploys) through PUT /v1/admin/state;
 * 3. sends live traffic every 5 s until stopped: checkout healthy, search in caution, payments-api
 *    failing enough that its 14.4× 1h/5m page fires within about a minute;
 * 4. once the backfill is evaluated, asks the deploy gate for a checkout release (recorded as a
 *    deploy) and a search db-migration (denied: caution zone); prints every alert that fires or
 *    resolves.
 * Ctrl-C or SIGTERM stops the service and exits 0. The plan itself is in scripts/demo/ (plan.js:
 * the events; replay.js: SPEC §4's numbers over them; past-state.js: the imported past; engine.js:
 * the engine's compiled code from dist/ and the example config as it loads it).
 * Tokens: INGEST_TOKEN, ADMIN_TOKEN, CI_TOKEN, or the example config's development defaults.
 */
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const traffic = requireDemo();

/** The plan and its numbers (scripts/demo/), which use the engine's compiled code: dist/ must be built. */
function requireDemo() {
  try {
    return require('./demo/index');
  } catch (error) {
    if (error.code !== 'DEMO_NOT_BUILT') throw error;
    process.stderr.write(`[demo] ${error.message}\n`);
    process.exit(1);
  }
}

const root = join(__dirname, '..');
const MAIN = join(root, 'dist', 'main.js');
const CONFIG = join(root, 'config', 'example.yaml');
const PORT = Number(process.env.PORT || 8080);
const BASE = `http://127.0.0.1:${PORT}`;
const BOARD = `http://localhost:${PORT}/`;
const TOKENS = {
  ingest: process.env.INGEST_TOKEN || 'dev-ingest-token',
  admin: process.env.ADMIN_TOKEN || 'dev-admin-token',
  gate: process.env.CI_TOKEN || 'dev-ci-token',
};
const TICK_MS = 5_000;
const READY_TIMEOUT_MS = 60_000;
const GATE_WAIT_MS = 180_000;
const STOP_TIMEOUT_MS = 12_000;

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
const say = (text) => process.stdout.write(`[demo +${elapsed()}] ${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let child = null;
let stopping = false;
const timers = [];

async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    error.status = response.status;
    throw error;
  }
  return json;
}

function startService() {
  if (!existsSync(MAIN)) {
    process.stderr.write('dist/main.js is missing: run `npm run demo` (it builds first) or `npm run build`\n');
    process.exit(1);
  }
  const env = { ...process.env, PORT: String(PORT), CONFIG_FILE: CONFIG, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' };
  delete env.REDIS_URL; // in-memory state: the demo's data lives and dies with it
  child = spawn(process.execPath, [MAIN], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`[demo] the service exited (${signal ?? `code ${code}`}); stopping\n`);
    process.exit(code || 1);
  });
  say(`starting the service: node dist/main.js on port ${PORT}, config/example.yaml, in-memory state, LOG_LEVEL=${env.LOG_LEVEL} (pid ${child.pid})`);
}

async function waitReady() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${BASE}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(200);
  }
  throw new Error(`the service was not ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function stop(signal) {
  if (stopping) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    process.exit(0);
  }
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  say(`${signal}: stopping the service`);
  if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
  const force = setTimeout(() => {
    say('the service did not stop in time; killing it');
    child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  child.once('exit', () => {
    clearTimeout(force);
    say('stopped');
    process.exit(0);
  });
  child.kill('SIGTERM');
}

async function backfill(plan) {
  const t = Date.now();
  const correction = await api('POST', '/v1/corrections', { token: TOKENS.admin, body: traffic.correctionRequest(plan) });
  say(`correction ${correction.id}: ${correction.service} ${correction.start} → ${correction.end} ("${correction.reason}")`);
  const events = traffic.backfillEvents(plan);
  const batches = traffic.batches(events);
  for (const batch of batches) await api('POST', '/v1/events', { token: TOKENS.ingest, body: { events: batch } });
  const counted = events.reduce((sum, e) => sum + e.total, 0);
  say(`backfill: ${events.length} events (${counted.toLocaleString('en')} requests) in ${batches.length} batches over each SLO's window`);
  const exported = traffic.stateExport(plan, events);
  const imported = await api('PUT', '/v1/admin/state', { token: TOKENS.admin, body: exported });
  const incident = exported.incidents[0];
  say(
    `imported: incident ${incident.id} of ${incident.service} (detected ${incident.detectedAt}, resolved ${incident.resolvedAt}, postmortem ${incident.postmortem.url}), ` +
      `${imported.imported.deploys} past deploys`,
  );
  say(`backfill done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return events;
}

function startLive(plan) {
  const carry = traffic.liveCarry(plan);
  let from = plan.t0;
  let sending = false;
  let sent = 0;
  const tick = async () => {
    if (sending || stopping) return;
    sending = true;
    const to = Date.now();
    const events = traffic.liveEvents(plan, from, to, carry);
    try {
      if (events.length > 0) await api('POST', '/v1/events', { token: TOKENS.ingest, body: { events } });
      from = to;
      sent += events.reduce((sum, e) => sum + e.total, 0);
    } catch (error) {
      if (!stopping) say(`live traffic: ${error.message} (retrying)`);
    } finally {
      sending = false;
    }
  };
  void tick();
  timers.push(setInterval(tick, TICK_MS));
  timers.push(setInterval(() => say(`live traffic: ${sent.toLocaleString('en')} requests sent so far`), 5 * 60_000));
}

function watchAlerts() {
  const firing = new Map();
  const poll = async () => {
    if (stopping) return;
    let alerts;
    try {
      alerts = (await api('GET', '/v1/alerts')).alerts;
    } catch {
      return;
    }
    const now = new Map(alerts.map((a) => [`${a.slo}/${a.severity}/${a.kind}`, a]));
    for (const [key, a] of now) {
      if (firing.has(key)) continue;
      const rule = a.rule ? ` (${a.rule.burnRate}× over ${a.rule.long} and ${a.rule.short})` : '';
      say(`${a.severity.toUpperCase()} firing: ${a.slo}${rule} since ${a.since}`);
    }
    for (const key of firing.keys()) if (!now.has(key)) say(`resolved: ${key.split('/').slice(0, 2).join(' ')}`);
    firing.clear();
    for (const [key, a] of now) firing.set(key, a);
  };
  void poll();
  timers.push(setInterval(poll, TICK_MS));
}

/** Once checkout's budget is evaluated with the backfill, a release passes the gate (a deploy marker) and a search db-migration does not. */
async function liveGate(plan) {
  const deadline = Date.now() + GATE_WAIT_MS;
  while (!stopping && Date.now() < deadline) {
    try {
      const budget = await api('GET', '/v1/services/checkout/budget');
      if (budget.zone !== 'unknown' && budget.slos.every((s) => s.total > 0)) break;
    } catch {
      // not yet
    }
    await sleep(1_000);
  }
  for (const request of plan.liveGate) {
    if (stopping) return;
    try {
      const d = await api('POST', '/v1/deploy-gate', { token: TOKENS.gate, body: request });
      say(`gate: ${request.service} ${request.changeType} ${request.version} → ${d.decision.toUpperCase()} (${d.zone}): ${d.reasons.join('; ')}`);
    } catch (error) {
      say(`gate: ${error.message}`);
    }
  }
}

async function main() {
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  startService();
  await waitReady();
  say('service ready');
  const plan = traffic.demoPlan(Date.now());
  await backfill(plan);
  startLive(plan);
  watchAlerts();
  say(
    'scenarios: checkout healthy (normal); search in caution after a bad release and an outage 3 days ago (a resolved incident with its postmortem); ' +
      'payments-api burning: 8% of calls fail, its page (14.4× over 1h and 5m) fires within about a minute of the start, the errors stop after 30 minutes',
  );
  say(`board: ${BOARD}   (API ${BOARD}docs; Ctrl-C stops)`);
  await liveGate(plan);
}

main().catch((error) => {
  process.stderr.write(`[demo] ${error.stack ?? error.message}\n`);
  if (child && child.exitCode === null) {
    stopping = true;
    child.once('exit', () => process.exit(1));
    child.kill('SIGTERM');
  } else {
    process.exit(1);
  }
});
