/**
 * SPEC §3 Prometheus SLIs: the queries of one SLO window and what their answers mean. Pure
 * functions, no framework imports.
 */
import type { SliConfig } from '../../config/app-config';

export type PrometheusSli = Extract<SliConfig, { source: 'prometheus' }>;

/** `{{window}}` replaced by the window as written in the config (`5m`, `30d`). */
export function windowQuery(template: string, window: string): string {
  return template.split('{{window}}').join(window);
}

/** A range's length as a PromQL duration in milliseconds (`2678400000ms`): exact, and any length. */
export function rangeWindow(lengthMs: number): string {
  return `${Math.max(1, Math.round(lengthMs))}ms`;
}

/** The two queries of a window: good (or errors) and total. */
export function windowQueries(sli: PrometheusSli, window: string): { good?: string; error?: string; total: string } {
  return {
    ...(sli.goodQuery !== undefined ? { good: windowQuery(sli.goodQuery, window) } : {}),
    ...(sli.errorQuery !== undefined ? { error: windowQuery(sli.errorQuery, window) } : {}),
    total: windowQuery(sli.totalQuery, window),
  };
}

/**
 * The number an instant query answered: the sum of a vector's samples (an empty vector is 0: no
 * events), or a scalar. NaN and infinities (a rate over nothing) count as 0. Anything else is an
 * error naming what came back.
 */
export function queryValue(body: unknown): number {
  const data = (body as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null) ?? {};
  if (data.status !== 'success') {
    const error = (body as { error?: unknown; errorType?: unknown } | null) ?? {};
    throw new Error(`query failed: ${String(error.errorType ?? 'error')}: ${String(error.error ?? 'no error message')}`.slice(0, 300));
  }
  const { resultType, result } = data.data ?? {};
  const finite = (raw: unknown): number => {
    const value = Number(raw);
    return Number.isFinite(value) ? value : 0;
  };
  switch (resultType) {
    case 'vector': {
      if (!Array.isArray(result)) throw new Error('query failed: vector without result');
      let sum = 0;
      for (const sample of result as Array<{ value?: [number, string] }>) sum += finite(sample.value?.[1]);
      return sum;
    }
    case 'scalar':
      return finite((result as [number, string] | undefined)?.[1]);
    default:
      throw new Error(`query failed: a ${String(resultType)} result, expected a vector or scalar (use an instant query, sum(...))`);
  }
}

/** Good and total of a window from the two answers; good clamped to [0, total] (SPEC §4 clamps the ratio). */
export function windowCounts(answers: { good?: number; error?: number; total: number }): { good: number; total: number } {
  const total = Math.max(0, answers.total);
  const good = answers.good !== undefined ? answers.good : total - (answers.error ?? 0);
  return { good: Math.min(Math.max(0, good), total), total };
}

/**
 * The values a range query answered, by timestamp (ms): a matrix's series summed instant by
 * instant (a series without a sample at an instant adds nothing there; NaN and infinities count as
 * 0). An instant no series has is absent: no data there. Anything else is an error naming what came back.
 */
export function rangeValues(body: unknown): Map<number, number> {
  const data = (body as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null) ?? {};
  if (data.status !== 'success') {
    const error = (body as { error?: unknown; errorType?: unknown } | null) ?? {};
    throw new Error(`query failed: ${String(error.errorType ?? 'error')}: ${String(error.error ?? 'no error message')}`.slice(0, 300));
  }
  const { resultType, result } = data.data ?? {};
  if (resultType !== 'matrix' || !Array.isArray(result)) throw new Error(`query failed: a ${String(resultType)} result, expected a matrix`);
  const out = new Map<number, number>();
  for (const series of result as Array<{ values?: unknown }>) {
    if (!Array.isArray(series.values)) continue;
    for (const sample of series.values as Array<[number, string]>) {
      const at = Math.round(Number(sample[0]) * 1000);
      const value = Number(sample[1]);
      if (!Number.isFinite(at)) continue;
      out.set(at, (out.get(at) ?? 0) + (Number.isFinite(value) ? value : 0));
    }
  }
  return out;
}
