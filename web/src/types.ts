/** The API shapes the board reads (SPEC §5, §13); only the fields the pages use. */

export type Zone = 'normal' | 'caution' | 'freeze' | 'exhausted' | 'unknown';
export const ZONES: readonly Zone[] = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'];

export interface BudgetAlert {
  severity: 'page' | 'ticket';
  kind: 'burn-rate' | 'source-unavailable';
  state: 'firing';
  since: string;
}

export interface Budget {
  slo: string;
  service: string;
  team: string | null;
  objective: number;
  window: string;
  period?: { start: string; end: string };
  zone: Zone;
  evaluatedAt: string | null;
  sli: number | null;
  good: number | null;
  total: number | null;
  budget: { remaining: number | null; consumed: number | null; exhaustsAt: string | null };
  burnRates: Record<string, number | null>;
  alerts: BudgetAlert[];
  stateLostAt?: string;
}

export interface SloPage {
  slos: Budget[];
  nextCursor: string | null;
}

export interface AlertRule {
  severity: 'page' | 'ticket';
  burnRate: number;
  long: string;
  short: string;
}

export interface SloDefinition {
  id: string;
  service: string;
  team: string | null;
  description: string | null;
  objective: number;
  window: string | { calendar: string; timeZone: string };
  sli: { source: string } & Record<string, unknown>;
  runbook: string | null;
  labels: Record<string, string>;
  alerting: { minEvents: number; defaultRules: boolean; rules: AlertRule[] };
}

export interface SloDetail {
  definition: SloDefinition;
  budget: Budget;
}

export interface HistoryPoint {
  t: string;
  sli: number | null;
  remaining: number | null;
  burnRates: Record<string, number | null> | null;
}

export interface History {
  slo: string;
  points: HistoryPoint[];
}

export interface Burndown {
  slos: Array<{ slo: string; from: string; to: string; step: number; remaining: Array<number | null>; labels: Record<string, string>; description: string | null }>;
}

export interface FiringAlert {
  slo: string;
  service: string;
  severity: 'page' | 'ticket';
  kind: 'burn-rate' | 'source-unavailable';
  state: 'firing';
  since: string;
  rule: AlertRule | null;
  burnRates: Record<string, number | null> | null;
  silenced: boolean;
}

export interface GateDecision {
  decisionId: string;
  at: string;
  service: string;
  changeType: string;
  version: string | null;
  environment: string | null;
  requestedBy: string | null;
  token: string | null;
  decision: 'allow' | 'deny';
  zone: Zone;
  reasons: string[];
}

export interface Deploy {
  decisionId: string;
  at: string;
  service: string;
  version: string;
  changeType: string;
  environment: string | null;
  requestedBy: string | null;
  slos: Array<{ slo: string; remainingAtDeploy: number | null; remainingNow: number | null; consumedSince: number | null }>;
}

export interface ServiceBudget {
  service: string;
  zone: Zone;
  gate: Record<string, 'allow' | 'deny'>;
  gateReasons?: Record<string, string[]>;
  slos: Budget[];
  deploys: Deploy[];
}

export interface Freeze {
  id: string;
  service: string;
  start: string;
  end: string;
  reason: string;
}

export interface Override {
  id: string;
  service: string;
  reason: string;
  expiresAt: string;
  approvedBy: string;
}

export interface Correction {
  id: string;
  slo: string | null;
  service: string | null;
  start: string;
  end: string;
  duration: string;
  repeat: 'daily' | 'weekly' | null;
  reason: string;
  source: 'config' | 'api';
  createdAt: string | null;
  createdBy: string | null;
}

export interface Incident {
  id: string;
  service: string;
  state: 'open' | 'resolved';
  startedAt: string | null;
  detectedAt: string;
  resolvedAt: string | null;
  timeToDetect: number | null;
  timeToResolve: number | null;
  zoneAtOpen: Zone;
  slos: Array<{ slo: string; budgetConsumed: number | null }>;
  pages: Array<{ slo: string; rule: unknown; firedAt: string; resolvedAt: string | null }>;
  postmortem: {
    required: boolean;
    reasons: string[];
    dueAt: string | null;
    url: string | null;
    summary: string | null;
    actionItems: Array<{ title: string; owner: string; dueAt: string; category: string; done: boolean }>;
    overdue: boolean;
  };
  timeline: Array<{ at: string; what: string }>;
}

export interface IncidentList {
  incidents: Incident[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------- added for the service and incident pages

/** The rule that fired an incident's page (`pages[].rule` when not null). */
export interface PageRule {
  severity: 'page' | 'ticket';
  burnRate: number;
  long: string;
  short: string;
}

/** `GET /v1/services/{service}/reliability` (SPEC §13); durations in seconds. */
export interface Reliability {
  service: string;
  window: string;
  incidents: number;
  timeToDetect: { mean: number | null; p50: number | null; max: number | null };
  timeToResolve: { mean: number | null; p50: number | null; max: number | null };
  budgetConsumedByIncidents: Record<string, number>;
  postmortems: { required: number; done: number; overdue: number };
  actionItems: { open: number; overdue: number; done: number };
}
