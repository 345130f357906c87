import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { Histogram, Registry } from 'prom-client';
import { ConfigHolder } from '../../config/config-holder';
import { formatDuration } from '../../common/duration';
import { METRICS_REGISTRY } from '../../common/metrics-registry';
import { safeTimeout } from '../../common/safe-timer';
import type { SloConfig } from '../../config/app-config';
import type { Counts } from '../../slo/domain/budget-math';
import type { CountsRequest, CountsResult, MetricsSource } from '../../slo/ports/metrics-source';
import { PrometheusSettings, PrometheusSource } from './prometheus-source';

/**
 * `sli.source: prometheus`: counts from the Prometheus HTTP API with the settings in force (a
 * reload that changes them replaces the client). A query several SLOs share is asked once per
 * cycle.
 *
 * SPEC §12: every query of a cycle ends within `sources.prometheus.timeout` of the cycle asking it
 * (waiting for a concurrency slot included), whole answer included; so Prometheus never holds a
 * cycle past the timeout, however slow, hung, huge or broken its answers, and the SLOs whose queries
 * were not answered fail alone (the other sources' SLOs are evaluated on time). The cycle's own
 * deadline ends them earlier if it comes first. Each query's duration goes to
 * `slo_engine_source_query_duration_seconds`.
 */
@Injectable()
export class PrometheusMetricsSource implements MetricsSource, OnApplicationShutdown {
  readonly kind = 'prometheus' as const;
  private client: { settings: PrometheusSettings; source: PrometheusSource } | null = null;
  private readonly queryDuration: Histogram;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.queryDuration = new Histogram({
      name: 'slo_engine_source_query_duration_seconds',
      help: 'Duration of each metrics-source query (Prometheus instant queries), answered or failed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
  }

  async counts(requests: readonly CountsRequest[], atMs: number, deadline: AbortSignal): Promise<Map<string, CountsResult>> {
    const out = new Map<string, CountsResult>();
    if (requests.length === 0) return out;
    const source = this.sourceFor(this.config.current.sources.prometheus);
    if (!source) {
      for (const { slo } of requests) out.set(slo.id, new Error('prometheus: no source configured'));
      return out;
    }
    // One signal for the cycle's queries: the timeout from now, or the cycle's deadline if sooner.
    const { timeoutMs } = source.settings;
    const giveUp = new AbortController();
    setMaxListeners(0, giveUp.signal); // one listener per query waiting or in flight
    const timeout = safeTimeout(() => giveUp.abort(new Error(`timeout after ${formatDuration(timeoutMs)}`)), timeoutMs).unref();
    const onDeadline = () => giveUp.abort(new Error('not answered within the cycle deadline'));
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', onDeadline, { once: true });
    const passed = new Promise<Error>((resolve) => {
      const abort = () => resolve(new Error(`prometheus: ${(giveUp.signal.reason as Error).message}`));
      if (giveUp.signal.aborted) abort();
      else giveUp.signal.addEventListener('abort', abort, { once: true });
    });
    const memo = new Map<string, Promise<number>>(); // one answer per distinct query this cycle
    try {
      await Promise.all(
        requests.map(async ({ slo, labels, ranges }) => {
          try {
            // the race is a backstop: every query already ends when the signal aborts
            out.set(slo.id, await Promise.race([source.source.counts(slo, labels, atMs, memo, giveUp.signal, ranges), passed]));
          } catch (error) {
            out.set(slo.id, error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    } finally {
      timeout.clear();
      deadline.removeEventListener('abort', onDeadline);
    }
    return out;
  }

  /**
   * One window's counts over a grid of instants (the incidents' search back in time, SPEC §4): one
   * `query_range` per query, ended by the configured timeout or `deadline`, whichever comes first.
   */
  async countsOverRange(slo: SloConfig, window: string, grid: { fromMs: number; toMs: number; stepMs: number }, deadline: AbortSignal): Promise<Array<Counts | null>> {
    const source = this.sourceFor(this.config.current.sources.prometheus);
    if (!source) throw new Error('prometheus: no source configured');
    const giveUp = new AbortController();
    const timeout = safeTimeout(() => giveUp.abort(new Error(`timeout after ${formatDuration(source.settings.timeoutMs)}`)), source.settings.timeoutMs).unref();
    const onDeadline = () => giveUp.abort(new Error('not answered within the deadline'));
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', onDeadline, { once: true });
    try {
      return await source.source.rangeCounts(slo, window, grid, giveUp.signal);
    } finally {
      timeout.clear();
      deadline.removeEventListener('abort', onDeadline);
    }
  }

  onApplicationShutdown(): void {
    this.client?.source.close();
  }

  private sourceFor(settings: PrometheusSettings | undefined): { settings: PrometheusSettings; source: PrometheusSource } | null {
    if (!settings) return null;
    if (this.client?.settings !== settings) {
      this.client?.source.close();
      this.client = { settings, source: new PrometheusSource(settings, (seconds) => this.queryDuration.observe(seconds)) };
    }
    return this.client;
  }
}
