import type { DocumentIndex } from './documents';
import type { TrackedDocument } from './field';
import type { Report } from './report';

/** What a mapping step reads and writes. */
export interface MappingContext {
  index: DocumentIndex;
  report: Report;
  /** true while mapping what an SLO needs; false while checking a document no SLO uses */
  forSlo: boolean;
  /** documents reached (SLI, AlertPolicy, AlertCondition, AlertNotificationTarget, DataSource) */
  reached: Set<TrackedDocument>;
}

/** The types the engine reads through its Prometheus source (any case). */
export const PROMETHEUS_TYPES = ['prometheus', 'thanos', 'mimir', 'cortex', 'victoriametrics'];
export const PROMETHEUS_TYPES_TEXT = 'Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics';

export const isPrometheusType = (type: string): boolean => PROMETHEUS_TYPES.includes(type.trim().toLowerCase());
