import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { atLeast, atMost, Figure, printFigures, reported, writeFiguresJson } from './bench-report';

/**
 * `npm run bench [-- --json FILE]`: the figures of SPEC §11 this version implements, each scenario
 * in its own process (so resident memory is that scenario's own), all on this machine in one run.
 */
function scenario(file: string, ...args: string[]): Record<string, number> {
  const result = spawnSync(process.execPath, ['--expose-gc', join(__dirname, file), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed with exit code ${result.status}`);
  // Only the last line is the scenario's result.
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
}

interface GateResult {
  ratio: number;
  roundRatios: number[];
  bare: { requestsPerSecond: number };
  trivial: { requestsPerSecond: number };
  gate: { requestsPerSecond: number; failed: number };
  steady: { requestsPerSecond: number; p99Ms: number; failed: number };
  autocannonOverallRate: { p99Ms: number };
}

type Group = (figures: Figure[], details: Record<string, unknown>) => void;
const log = (text: string) => process.stderr.write(`${text}\n`);

const cycle: Group = (figures, details) => {
  log('bench: evaluation cycle, 10,000 SLOs, in memory…');
  const memory = scenario('scenario-cycle.js', 'memory', '10000');
  figures.push(atMost('evaluation cycle, 10,000 SLOs, in-memory state', memory.cycleMs / 1000, 's', 0.5));
  figures.push(atMost('resident memory, 10,000 SLOs, a day of minute-by-minute events', memory.rssMb, 'MB', 512));
  log('bench: evaluation cycle, 10,000 SLOs, with Redis…');
  const redis = scenario('scenario-cycle.js', 'redis', '10000');
  figures.push(atMost('evaluation cycle, 10,000 SLOs, Redis state', redis.cycleMs / 1000, 's', 2));
  Object.assign(details, { memory, redis });
  for (const [mode, result] of [['memory', memory], ['redis', redis]] as const) {
    const incidents = result.incidents as unknown as { cycleMs: number };
    figures.push(
      atMost(`evaluation cycle, 10,000 SLOs, incidents open on 1% of them (100 services), ${mode === 'memory' ? 'in-memory' : 'Redis'} state`, incidents.cycleMs / 1000, 's', mode === 'memory' ? 0.5 : 2),
    );
    const variant = result.calendarCorrections as unknown as { cycleMs: number };
    figures.push(
      atMost(`evaluation cycle, 10,000 SLOs (10% calendar, a correction per service), ${mode === 'memory' ? 'in-memory' : 'Redis'} state`, variant.cycleMs / 1000, 's', mode === 'memory' ? 0.5 : 2),
    );
  }
};

const ingest: Group = (figures, details) => {
  for (const mode of ['memory', 'redis'] as const) {
    log(`bench: ingest, batches of 1,000, ${mode} state…`);
    const result = scenario('scenario-ingest.js', mode);
    figures.push(atLeast(`event ingest, POST /v1/events, batches of 1,000, ${mode} state`, result.eventsPerSecond, 'events/s', 50_000));
    details[`ingest-${mode}`] = result;
  }
};

const gate: Group = (figures, details) => {
  const bars = { memory: { ratio: 0.5, p99Ms: 10 }, redis: { ratio: 0.3, p99Ms: 20 } } as const;
  for (const mode of ['memory', 'redis'] as const) {
    log(`bench: deploy gate beside a trivial Nest route and a bare node:http server, 50 connections, then 500 requests/s, ${mode} state…`);
    const result = scenario('scenario-gate.js', mode) as unknown as GateResult;
    const state = mode === 'memory' ? 'in-memory' : 'Redis';
    figures.push(atLeast(`deploy-gate decisions / trivial Nest + Fastify POST route requests/s, 50 connections, ${state} state`, result.ratio, 'x', bars[mode].ratio));
    figures.push(reported(`deploy-gate decisions, 50 connections, ${state} state`, result.gate.requestsPerSecond, 'requests/s'));
    figures.push(reported(`trivial Nest + Fastify POST route (same app), 50 connections, beside the ${state} gate`, result.trivial.requestsPerSecond, 'requests/s'));
    figures.push(reported(`bare node:http server answering a fixed JSON, 50 connections, beside the ${state} gate`, result.bare.requestsPerSecond, 'requests/s'));
    figures.push(atMost(`deploy-gate p99 latency at a steady 500 requests/s (10 connections, evenly paced), ${state} state`, result.steady.p99Ms, 'ms', bars[mode].p99Ms));
    figures.push(reported(`deploy-gate p99 latency, autocannon overallRate 500 (10 connections, bursts each second), ${state} state`, result.autocannonOverallRate.p99Ms, 'ms'));
    details[`gate-${mode}`] = result;
  }
};

const detection: Group = (figures, details) => {
  log('bench: page detection after a 100% error onset (real time, about a minute)…');
  const result = scenario('scenario-detection.js');
  const bar = (51_840 + result.intervalMs + 2_000) / 1000;
  figures.push(atMost('page delivered after a 100% error onset on a 99.9% SLO (evaluation every 10 s)', result.detectionMs / 1000, 's', bar));
  details.detection = result;
};

const prometheus: Group = (figures, details) => {
  log('bench: evaluation cycle, 1,000 SLOs against a real Prometheus…');
  const result = scenario('scenario-prometheus.js') as unknown as { cycleMs: number; history: { medianMs: number } };
  figures.push(atMost('evaluation cycle, 1,000 SLOs against a real Prometheus (12,000 distinct queries)', result.cycleMs / 1000, 's', 10));
  // SPEC §11's history bar is the events figure (group `history`); from a remote source it is reported
  figures.push(reported('GET /v1/slos/{id}/history of a 30d Prometheus SLO, 2,000 points (16 range queries), median', result.history.medianMs, 'ms'));
  details.prometheus = result;
};

const history: Group = (figures, details) => {
  log('bench: GET /v1/slos/{id}/history, 2,000 points of a 30d SLO, 50 requests…');
  const result = scenario('scenario-history.js');
  figures.push(atMost('GET /v1/slos/{id}/history, 2,000 points of a 30d SLO, median', result.medianMs, 'ms', 50));
  details.history = result;
};

const GROUPS: Record<string, Group> = { cycle, ingest, gate, prometheus, detection, history };

function main(): void {
  const option = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
  const jsonFile = option('--json');
  // `--only cycle|ingest|gate|prometheus|detection|history` runs one group; by default all of them.
  const only = option('--only');
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const [name, group] of Object.entries(GROUPS)) if (only === undefined || only === name) group(figures, details);
  log(`details: ${JSON.stringify(details)}`);
  printFigures(figures);
  if (jsonFile) writeFiguresJson(jsonFile, figures);
}

main();
