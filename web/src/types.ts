/**
 * The API shapes the board reads (SPEC §5, §13), taken from the service's own types (type-only
 * imports: erased by the bundler, nothing of src/ is shipped to the browser). A change of an API
 * shape therefore fails the board's type-check (`npm run lint`) instead of breaking a page.
 */
import type { BudgetObject } from '../../src/slo/budget-view';
import type { SloDefinition } from '../../src/slo/slo-query.service';
import type { Zone } from '../../src/slo/domain/zones';

export type { Zone } from '../../src/slo/domain/zones';
export type { BudgetObject as Budget } from '../../src/slo/budget-view';
export type { BudgetAlert } from '../../src/slo/ports/firing-alerts';
export type { SloPage, SloDefinition } from '../../src/slo/slo-query.service';
export type { HistoryPoint, SloHistory as History } from '../../src/slo/slo-history.service';
export type { Burndown } from '../../src/slo/burndown.service';
export type { FiringAlert } from '../../src/alerting/alert-query.service';
export type { Freeze, Override, DecisionRecord as GateDecision } from '../../src/policies/ports/policy-state.repository';
export type { DeployView as Deploy, ServiceBudget } from '../../src/policies/deploy-gate.service';
export type { CorrectionView as Correction } from '../../src/policies/corrections/correction-view';
export type { IncidentView as Incident, IncidentList } from '../../src/incidents/incident-view';
export type { PageRule } from '../../src/incidents/domain/incident';
export type { ReliabilitySummary as Reliability } from '../../src/incidents/domain/reliability';

export const ZONES: readonly Zone[] = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'];

/** `GET /v1/slos/{id}` */
export interface SloDetail {
  definition: SloDefinition;
  budget: BudgetObject;
}

/** An alert rule as the definition shows it. */
export type AlertRule = SloDefinition['alerting']['rules'][number];
