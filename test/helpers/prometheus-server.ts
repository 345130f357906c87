import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

export interface TestPrometheus {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** One counter sample for the backfill: `name{labels} value` at `timestampMs`. */
export interface CounterSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** OpenMetrics text of counter samples (what `promtool tsdb create-blocks-from openmetrics` reads). */
export function openMetrics(samples: readonly CounterSample[]): string {
  const byName = new Map<string, CounterSample[]>();
  for (const s of samples) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    const family = name.replace(/_total$/, '');
    lines.push(`# TYPE ${family} counter`);
    // Series by series, in time order (the format wants a metric family's samples together).
    const bySeries = new Map<string, CounterSample[]>();
    for (const s of list) {
      const key = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const series = bySeries.get(key);
      if (series) series.push(s);
      else bySeries.set(key, [s]);
    }
    for (const [labels, series] of bySeries) {
      for (const s of [...series].sort((a, b) => a.timestampMs - b.timestampMs)) {
        lines.push(`${name}{${labels}} ${s.value} ${(s.timestampMs / 1000).toFixed(3)}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}\n${output()}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready within 30 s\n${output()}`);
}

/** A scrape job: `targets` (`host:port`) scraped every second at `metricsPath` (default `/metrics`). */
export interface ScrapeJob {
  job: string;
  targets: string[];
  metricsPath?: string;
}

function prometheusConfig(scrape: ScrapeJob | undefined): string {
  if (!scrape) return 'global:\n  scrape_interval: 1m\nscrape_configs: []\n';
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(scrape.job)}`,
    `    metrics_path: ${JSON.stringify(scrape.metricsPath ?? '/metrics')}`,
    '    static_configs:',
    `      - targets: ${JSON.stringify(scrape.targets)}`,
    '',
  ].join('\n');
}

/**
 * A real Prometheus (Debian's `prometheus`) on a free loopback port with a temporary TSDB, scraping
 * nothing unless `scrape` names a job (then every second); `samples` are backfilled first with
 * `promtool tsdb create-blocks-from openmetrics`. `port` starts it again where a stopped one listened.
 */
export async function startPrometheus(samples: readonly CounterSample[] = [], options: { port?: number; scrape?: ScrapeJob } = {}): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-prometheus-'));
  const data = join(dir, 'data');
  writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(options.scrape));
  if (samples.length > 0) {
    writeFileSync(join(dir, 'backfill.om'), openMetrics(samples));
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'backfill.om'), data], { maxBuffer: 64 * 1024 * 1024 });
  }
  const port = options.port ?? (await freePort());
  let log = '';
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=90d',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
