import type { AppConfig, SloConfig } from '../../config/app-config';
import type { Counts } from '../../slo/domain/budget-math';
import type { CountRange } from '../../slo/domain/count-plan';
import { PrometheusSli, queryValue, rangeValues, rangeWindow, windowCounts, windowQueries } from './promql';
import { PrometheusHttp } from './prometheus-http';

export type PrometheusSettings = NonNullable<AppConfig['sources']['prometheus']>;

/** Points per range query at most (Prometheus refuses more than 11,000 per series). */
export const RANGE_POINTS = 10_000;

/**
 * Reads `prometheus` SLIs through the Prometheus HTTP API (`/api/v1/query`, instant queries at the
 * evaluation time; also Thanos, Mimir, VictoriaMetrics). At most `concurrency` queries are in
 * flight across the whole cycle; each ends within the configured timeout of its request's start,
 * whole answer included, and an answer over 10 MiB is refused. A `signal` (the cycle's) ends the
 * queries still waiting or running when it aborts. Errors never carry the headers (they may hold
 * credentials) nor the URL.
 */
export class PrometheusSource {
  private readonly http: PrometheusHttp;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly settings: PrometheusSettings,
    /** told each query's duration in seconds (`slo_engine_source_query_duration_seconds`) */
    observe?: (seconds: number) => void,
  ) {
    this.http = new PrometheusHttp(settings.url, settings.headers, settings.timeoutMs, settings.concurrency, observe);
  }

  /**
   * Good and total of every window `labels` names, at `nowMs`; throws when any query fails. With a
   * `memo` shared across one cycle's SLOs, a query several SLOs share (a service's total, say) is
   * asked once. When `signal` aborts, the queries not answered yet fail with its reason.
   * `ranges` (a calendar period, corrected parts of windows) are asked as `increase` over the
   * range's length at its end (SPEC §4), under their keys.
   */
  async counts(
    slo: SloConfig,
    labels: readonly string[],
    nowMs: number,
    memo?: Map<string, Promise<number>>,
    signal?: AbortSignal,
    ranges: readonly CountRange[] = [],
  ): Promise<Record<string, Counts>> {
    const ask = (query: string, atMs: number): Promise<number> => {
      if (!memo) return this.query(query, atMs, signal);
      const key = atMs === nowMs ? query : `${query}@${atMs}`;
      let answer = memo.get(key);
      if (!answer) {
        answer = this.query(query, atMs, signal);
        memo.set(key, answer);
      }
      return answer;
    };
    if (slo.sli.source !== 'prometheus') throw new Error(`${slo.id} is not a prometheus SLO`);
    const sli: PrometheusSli = slo.sli;
    const read = async (key: string, window: string, atMs: number): Promise<[string, Counts]> => {
      const queries = windowQueries(sli, window);
      const [good, error, total] = await Promise.all([
        queries.good !== undefined ? ask(queries.good, atMs) : Promise.resolve(undefined),
        queries.error !== undefined ? ask(queries.error, atMs) : Promise.resolve(undefined),
        ask(queries.total, atMs),
      ]);
      return [key, windowCounts({ good, error, total })];
    };
    const entries = await Promise.all([
      ...labels.map((label) => read(label, label, nowMs)),
      // a range [from, to] is increase(…[to − from]) at `to` (Prometheus counts (to − w, to]); an
      // empty one (a period that began this millisecond) counts nothing
      ...ranges.map((range) => {
        // a correction's part [from, to] is the half-open [from, to + 1): asked at its end, to + 1
        const endMs = range.interpolateEnd ? range.toMs + 1 : range.toMs;
        return endMs > range.fromMs ? read(range.key, rangeWindow(endMs - range.fromMs), endMs) : Promise.resolve<[string, Counts]>([range.key, { good: 0, total: 0 }]);
      }),
    ]);
    return Object.fromEntries(entries);
  }

  /**
   * Good and total of `window` (`5m`) ending at each instant of the grid `fromMs, fromMs + stepMs,
   * … ≤ toMs`, oldest first, from `query_range` (at most {@link RANGE_POINTS} points per request, the
   * same timeout, size bound and concurrency as instant queries); null where the total has no sample.
   */
  async rangeCounts(slo: SloConfig, window: string, grid: { fromMs: number; toMs: number; stepMs: number }, signal?: AbortSignal): Promise<Array<Counts | null>> {
    if (slo.sli.source !== 'prometheus') throw new Error(`${slo.id} is not a prometheus SLO`);
    const { fromMs, toMs, stepMs } = grid;
    if (!(stepMs >= 1000) || !(toMs >= fromMs)) throw new Error('prometheus: invalid range grid');
    const queries = windowQueries(slo.sli, window);
    const out: Array<Counts | null> = [];
    for (let start = fromMs; start <= toMs; start += RANGE_POINTS * stepMs) {
      const end = Math.min(toMs, start + (RANGE_POINTS - 1) * stepMs);
      const ask = (query: string | undefined) => (query === undefined ? Promise.resolve(undefined) : this.queryRange(query, start, end, stepMs, signal));
      const [good, error, total] = await Promise.all([ask(queries.good), ask(queries.error), ask(queries.total)]);
      for (let at = start; at <= end; at += stepMs) {
        const t = total!.get(at);
        if (t === undefined) {
          out.push(null);
          continue;
        }
        out.push(windowCounts({ good: good ? (good.get(at) ?? 0) : undefined, error: error ? (error.get(at) ?? 0) : undefined, total: t }));
      }
    }
    return out;
  }

  private async queryRange(query: string, fromMs: number, toMs: number, stepMs: number, signal?: AbortSignal): Promise<Map<number, number>> {
    try {
      await this.slot(signal);
    } catch (error) {
      throw new Error(`prometheus: ${describe(error)}`);
    }
    try {
      const params = { query, start: (fromMs / 1000).toFixed(3), end: (toMs / 1000).toFixed(3), step: (stepMs / 1000).toFixed(3) };
      const response = await this.http.get('api/v1/query_range', params, signal);
      if (typeof response.body !== 'object' || response.body === null) throw new Error(`Prometheus answered HTTP ${response.status}`);
      return rangeValues(response.body);
    } catch (error) {
      throw new Error(`prometheus: ${describe(error)}`);
    } finally {
      this.release();
    }
  }

  private async query(query: string, nowMs: number, signal?: AbortSignal): Promise<number> {
    try {
      await this.slot(signal);
    } catch (error) {
      throw new Error(`prometheus: ${describe(error)}`);
    }
    try {
      const response = await this.http.get('api/v1/query', { query, time: (nowMs / 1000).toFixed(3) }, signal);
      if (typeof response.body !== 'object' || response.body === null) throw new Error(`Prometheus answered HTTP ${response.status}`);
      return queryValue(response.body);
    } catch (error) {
      throw new Error(`prometheus: ${describe(error)}`);
    } finally {
      this.release();
    }
  }

  /** Waits for one of the `concurrency` slots; rejects (holding none) when `signal` aborts first. */
  private async slot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    if (this.inFlight < this.settings.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const granted = (): void => {
        signal?.removeEventListener('abort', gaveUp);
        resolve();
      };
      const gaveUp = (): void => {
        const at = this.waiting.indexOf(granted);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(abortReason(signal));
      };
      this.waiting.push(granted);
      signal?.addEventListener('abort', gaveUp, { once: true });
    });
  }

  /** Closes the kept-alive connections (a reload replaced the settings). */
  close(): void {
    this.http.close();
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
