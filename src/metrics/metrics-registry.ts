import { collectDefaultMetrics, Registry } from 'prom-client';

/** The application's Prometheus registry (one per app, so tests can run several apps in one process). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** A registry with the Node.js process defaults (CPU, memory, event loop lag, GC, handles). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
