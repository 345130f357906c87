import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** The application's Prometheus registry (one per app, so tests can run several apps in one process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** A registry with the Node.js process defaults (CPU, memory, event loop lag, GC, handles). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** A counter's current value for exactly these labels (0 when never incremented): for tests and checks. */
export async function counterValue<L extends string>(counter: Counter<L>, labels: Record<L, string>): Promise<number> {
  const { values } = await counter.get();
  const wanted = Object.entries(labels) as Array<[L, string]>;
  return values.find((v) => wanted.every(([key, value]) => v.labels[key] === value))?.value ?? 0;
}
