import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { atLeast, atMost, Figure, printFigures, writeFiguresJson } from './bench-report';

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
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
}

function main(): void {
  const jsonIndex = process.argv.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? process.argv[jsonIndex + 1] : undefined;
  const figures: Figure[] = [];
  const log = (text: string) => process.stderr.write(`${text}\n`);

  log('bench: evaluation cycle, 10,000 SLOs, in memory…');
  const memory = scenario('scenario-cycle.js', 'memory', '10000');
  figures.push(atMost('evaluation cycle, 10,000 SLOs, in-memory state', memory.cycleMs / 1000, 's', 0.5));
  figures.push(atMost('resident memory, 10,000 SLOs, a day of minute-by-minute events', memory.rssMb, 'MB', 512));

  log('bench: evaluation cycle, 10,000 SLOs, with Redis…');
  const redis = scenario('scenario-cycle.js', 'redis', '10000');
  figures.push(atMost('evaluation cycle, 10,000 SLOs, Redis state', redis.cycleMs / 1000, 's', 2));

  log('bench: ingest, batches of 1,000, in memory…');
  const ingestMemory = scenario('scenario-ingest.js', 'memory');
  figures.push(atLeast('event ingest, POST /v1/events, batches of 1,000, in-memory state', ingestMemory.eventsPerSecond, 'events/s', 50_000));
  log('bench: ingest, batches of 1,000, with Redis…');
  const ingestRedis = scenario('scenario-ingest.js', 'redis');
  figures.push(atLeast('event ingest, POST /v1/events, batches of 1,000, Redis state', ingestRedis.eventsPerSecond, 'events/s', 50_000));

  log(`details: ${JSON.stringify({ memory, redis, ingestMemory, ingestRedis })}`);
  printFigures(figures);
  if (jsonFile) writeFiguresJson(jsonFile, figures);
}

main();
