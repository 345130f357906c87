/**
 * The firing alerts a budget object lists (SPEC §5 `alerts`). A port the read side declares:
 * alerting, which owns alert state, implements it, so budgets never import alerting.
 */
export interface BudgetAlert {
  severity: 'page' | 'ticket';
  kind: 'burn-rate' | 'source-unavailable';
  state: 'firing';
  since: string;
}

export interface FiringAlertsReader {
  /** the firing alerts of every SLO that has one, by SLO id */
  firingBySlo(): Promise<Map<string, BudgetAlert[]>>;
}

export const FIRING_ALERTS = Symbol('FIRING_ALERTS');
