import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigHolder } from '../../config/config-holder';
import type { CountsRequest, CountsResult, MetricsSource } from '../../slo/ports/metrics-source';
import { PrometheusSettings, PrometheusSource } from './prometheus-source';

/**
 * `sli.source: prometheus`: counts from the Prometheus HTTP API with the settings in force (a
 * reload that changes them replaces the client). A query several SLOs share is asked once per
 * cycle. An SLO whose queries are not answered when the cycle's deadline aborts fails alone.
 */
@Injectable()
export class PrometheusMetricsSource implements MetricsSource, OnApplicationShutdown {
  readonly kind = 'prometheus' as const;
  private client: { settings: PrometheusSettings; source: PrometheusSource } | null = null;

  constructor(private readonly config: ConfigHolder) {}

  async counts(requests: readonly CountsRequest[], atMs: number, deadline: AbortSignal): Promise<Map<string, CountsResult>> {
    const out = new Map<string, CountsResult>();
    if (requests.length === 0) return out;
    const source = this.sourceFor(this.config.current.sources.prometheus);
    if (!source) {
      for (const { slo } of requests) out.set(slo.id, new Error('prometheus: no source configured'));
      return out;
    }
    const memo = new Map<string, Promise<number>>(); // one answer per distinct query this cycle
    const passed = new Promise<Error>((resolve) => {
      const abort = () => resolve(new Error('prometheus: not answered within the cycle deadline'));
      if (deadline.aborted) abort();
      else deadline.addEventListener('abort', abort, { once: true });
    });
    await Promise.all(
      requests.map(async ({ slo, labels }) => {
        try {
          out.set(slo.id, await Promise.race([source.counts(slo, labels, atMs, memo), passed]));
        } catch (error) {
          out.set(slo.id, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return out;
  }

  onApplicationShutdown(): void {
    this.client?.source.close();
  }

  private sourceFor(settings: PrometheusSettings | undefined): PrometheusSource | null {
    if (!settings) return null;
    if (this.client?.settings !== settings) {
      this.client?.source.close();
      this.client = { settings, source: new PrometheusSource(settings) };
    }
    return this.client.source;
  }
}
