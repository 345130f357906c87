import { createHash } from 'node:crypto';

/**
 * The id of a service's incident opened by a page that fired at `detectedAtMs` (SPEC §13). Derived,
 * not random, so that every replica — and the alerting step, which names the incident in the page
 * it sends before the incidents step records it — agrees on it.
 */
export function incidentIdOf(service: string, detectedAtMs: number): string {
  const digest = createHash('sha256').update(`${service}\n${detectedAtMs}`).digest('hex').slice(0, 12);
  return `inc-${new Date(detectedAtMs).toISOString().slice(0, 10).replace(/-/g, '')}-${digest}`;
}
