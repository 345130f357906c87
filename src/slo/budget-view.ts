import type { AppConfig, SloConfig } from '../config/app-config';
import { sloZone, Zone } from './domain/zones';
import type { SloEvaluationRecord } from './ports/evaluation.repository';
import { windowsInUse } from './domain/rule-evaluation';
import { periodAt } from './domain/calendar';
import type { BudgetAlert } from './ports/firing-alerts';

/** The budget object of SPEC §5, field for field. */
export interface BudgetObject {
  slo: string;
  service: string;
  team: string | null;
  objective: number;
  window: string;
  /** calendar windows only: the current period */
  period?: { start: string; end: string };
  zone: Zone;
  evaluatedAt: string | null;
  sli: number | null;
  good: number | null;
  total: number | null;
  budget: { remaining: number | null; consumed: number | null; exhaustsAt: string | null };
  burnRates: Record<string, number | null>;
  alerts: BudgetAlert[];
  /** present while a loss of the shared state is not accepted (SPEC §12): these numbers may rest on emptied state */
  stateLostAt?: string;
}


/** The period the numbers were counted in; the current one when there are none yet. */
function periodView(slo: SloConfig, counted: { startMs: number; endMs: number } | undefined, nowMs: number): { start: string; end: string } {
  const period = counted ?? periodAt(slo.calendar!, nowMs);
  return { start: new Date(period.startMs).toISOString(), end: new Date(period.endMs).toISOString() };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const labelsCache = new WeakMap<SloConfig, string[]>();

/** The SLO's `burnRates` keys (rule windows as written, plus 1h), computed once per config object. */
function burnRateLabels(slo: SloConfig): string[] {
  let labels = labelsCache.get(slo);
  if (!labels) {
    labels = windowsInUse(slo.alerting.rules);
    labelsCache.set(slo, labels);
  }
  return labels;
}

/** What the deploy gate needs of one SLO: its zone now, the budget left and when it was evaluated. */
export interface SloStanding {
  slo: string;
  zone: Zone;
  remaining: number | null;
  evaluatedAtMs: number | null;
}

/** The zone (staleness applied at `nowMs`) and budget of an SLO, without building a budget object. */
export function sloStanding(slo: SloConfig, record: SloEvaluationRecord | null, config: AppConfig, nowMs: number): SloStanding {
  const numbers = record?.numbers ?? null;
  const evaluatedAtMs = numbers ? (record?.evaluatedAtMs ?? null) : null;
  const zone = sloZone({
    remaining: numbers?.remaining ?? null,
    evaluatedAtMs,
    nowMs,
    evaluationIntervalMs: config.server.evaluationIntervalMs,
    noData: numbers?.noData ?? false,
    warmingUp: numbers?.warmingUp ?? false,
    onNoData: config.policy.onNoData,
    thresholds: config.policy.zones,
  });
  return { slo: slo.id, zone, remaining: numbers ? numbers.remaining : null, evaluatedAtMs };
}

/** Derives the budget object from the latest record at read time (only the zone's staleness moves). */
export function toBudgetObject(
  slo: SloConfig,
  record: SloEvaluationRecord | null,
  config: AppConfig,
  nowMs: number,
  alerts: BudgetAlert[] = [],
  stateLostAtMs: number | null = null,
): BudgetObject {
  const numbers = record?.numbers ?? null;
  const { zone, evaluatedAtMs } = sloStanding(slo, record, config, nowMs);
  const burnRates: Record<string, number | null> = {};
  for (const label of burnRateLabels(slo)) burnRates[label] = numbers?.burnRates[label] ?? null;
  return {
    slo: slo.id,
    service: slo.service,
    team: slo.team ?? null,
    objective: slo.objective,
    window: slo.window,
    ...(slo.calendar ? { period: periodView(slo, numbers?.period, nowMs) } : {}),
    zone,
    evaluatedAt: iso(evaluatedAtMs),
    sli: numbers?.sli ?? null,
    good: numbers ? numbers.good : null,
    total: numbers ? numbers.total : null,
    budget: {
      remaining: numbers ? numbers.remaining : null,
      consumed: numbers ? numbers.consumed : null,
      exhaustsAt: iso(numbers?.exhaustsAtMs ?? null),
    },
    burnRates,
    alerts,
    ...(stateLostAtMs === null ? {} : { stateLostAt: new Date(stateLostAtMs).toISOString() }),
  };
}
