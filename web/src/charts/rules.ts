/**
 * The numbers of the SLO page's alert rules (SPEC §4): a rule's state now, its firing periods over a
 * history, and the time its long window's burn rate would take to spend the remaining budget. Pure
 * functions, no DOM.
 */
import type { AlertRule, Budget } from '../types';
import { windowMs } from '../format';

export type RuleState = 'firing' | 'ok' | 'no data';

/** A firing alert as GET /v1/alerts lists it, with the rule that fired it (null for source-unavailable). */
export interface RuledAlert {
  slo: string;
  severity: 'page' | 'ticket';
  kind: 'burn-rate' | 'source-unavailable';
  rule: AlertRule | null;
}

/** `data-rule` of a rule's chart and row: "page-1h-5m". */
export function ruleKey(rule: AlertRule): string {
  return `${rule.severity}-${rule.long}-${rule.short}`;
}

export function sameRule(a: AlertRule, b: AlertRule): boolean {
  return a.severity === b.severity && a.burnRate === b.burnRate && a.long === b.long && a.short === b.short;
}

/**
 * A rule's state now.
 *
 * - "no data": the SLO was never evaluated (or its numbers are null), or its budget object has no
 *   burn rate for one of the rule's windows.
 * - "firing" when the engine says so: GET /v1/alerts lists a burn-rate alert of this SLO whose
 *   `rule` is this very rule (same severity, burn rate and windows). That covers what the page
 *   cannot see itself: a rule whose short window has no data stays as it was (SPEC §4, a page does
 *   not resolve because traffic paused), so the engine may hold it with a short burn rate of 0.
 *   Without that list (`alerts` null: the read failed), the budget object's `alerts` stand in: a
 *   firing alert of the rule's severity while the rule's long burn rate is at or above its
 *   threshold (the short window paused).
 * - "firing" too when both current burn rates are at or above the threshold (the rule holds now,
 *   SPEC §4) — unless `alerting.minEvents` is set and no alert of the severity fires: then the long
 *   window counted too few events to hold (the guard the page cannot count itself), and it is "ok".
 * - "ok" otherwise.
 */
export function ruleState(rule: AlertRule, budget: Budget, minEvents: number, alerts: RuledAlert[] | null): RuleState {
  const long = budget.burnRates[rule.long];
  const short = budget.burnRates[rule.short];
  if (budget.evaluatedAt === null || long === null || long === undefined || short === null || short === undefined) return 'no data';
  const severityFires = alerts
    ? alerts.some((a) => a.slo === budget.slo && a.kind === 'burn-rate' && a.severity === rule.severity)
    : budget.alerts.some((a) => a.kind === 'burn-rate' && a.severity === rule.severity);
  if (alerts) {
    if (alerts.some((a) => a.slo === budget.slo && a.kind === 'burn-rate' && a.rule !== null && sameRule(a.rule, rule))) return 'firing';
  } else if (severityFires && long >= rule.burnRate) {
    return 'firing';
  }
  const holds = long >= rule.burnRate && short >= rule.burnRate;
  if (holds && (minEvents <= 0 || severityFires)) return 'firing';
  return 'ok';
}

export interface Period {
  fromMs: number;
  toMs: number;
}

/**
 * The periods of a history where both burn rates were at or above the threshold: each such point
 * stands for `[t_i, t_{i+1})` (the last one for one step, cut at `endMs`), neighbours merged.
 */
export function firingPeriods(timesMs: number[], long: Array<number | null>, short: Array<number | null>, threshold: number, endMs: number): Period[] {
  const out: Period[] = [];
  const step = timesMs.length > 1 ? timesMs[1] - timesMs[0] : 0;
  for (let i = 0; i < timesMs.length; i++) {
    const l = long[i];
    const s = short[i];
    if (l === null || s === null || l < threshold || s < threshold) continue;
    const from = timesMs[i];
    const to = Math.min(endMs, i + 1 < timesMs.length ? timesMs[i + 1] : from + step);
    const last = out[out.length - 1];
    if (last && last.toMs >= from) last.toMs = Math.max(last.toMs, to);
    else out.push({ fromMs: from, toMs: Math.max(from, to) });
  }
  return out;
}

export type Exhaust = { kind: 'exhausted' } | { kind: 'never' } | { kind: 'in'; seconds: number };

/**
 * How long the long window's burn rate would take to spend the remaining budget.
 * Rolling window W: `remaining × W / burn` (budget fraction over fraction per window length);
 * "never" (shown "–") when the burn rate is ≤ 0 or unknown, or the remaining budget unknown.
 * Calendar window: the allowed errors grow with the period's traffic, so as for SPEC §4's
 * exhaustsAt, `remaining × L / (burn − 1)` with L the time elapsed in the period, and "never" when
 * the burn rate is ≤ 1 or the time falls after the period's end.
 * "exhausted" when the remaining budget is ≤ 0.
 */
export function timeToExhaust(budget: Budget, burn: number | null | undefined, nowMs: number): Exhaust {
  const remaining = budget.budget.remaining;
  if (remaining === null) return { kind: 'never' };
  if (remaining <= 0) return { kind: 'exhausted' };
  if (burn === null || burn === undefined || !(burn > 0)) return { kind: 'never' };
  if (budget.period) {
    const start = Date.parse(budget.period.start);
    const end = Date.parse(budget.period.end);
    const elapsed = Math.max(0, nowMs - start);
    if (!(burn > 1) || elapsed === 0) return { kind: 'never' };
    const seconds = (remaining * elapsed) / (burn - 1) / 1000;
    return nowMs + seconds * 1000 > end ? { kind: 'never' } : { kind: 'in', seconds };
  }
  const w = windowMs(budget.window);
  if (w === null) return { kind: 'never' };
  return { kind: 'in', seconds: (remaining * w) / burn / 1000 };
}
