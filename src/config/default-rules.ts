import type { AlertRule } from './app-config';
import { durationMs } from '../common/duration';

/**
 * SPEC §4 default multiwindow, multi-burn-rate table: rows 1, 2 and 4 are the Google SRE
 * Workbook's recommendation for a 99.9% / 30d SLO, row 3 is Sloth's added ticket pair.
 */
export const DEFAULT_RULE_TABLE: ReadonlyArray<Pick<AlertRule, 'severity' | 'burnRate' | 'long' | 'short'>> = [
  { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
  { severity: 'page', burnRate: 6, long: '6h', short: '30m' },
  { severity: 'ticket', burnRate: 3, long: '1d', short: '2h' },
  { severity: 'ticket', burnRate: 1, long: '3d', short: '6h' },
];

export interface DefaultRuleSelection {
  rules: AlertRule[];
  /** rows left out because their long window is longer than the SLO window */
  omitted: AlertRule[];
}

/** The default rules that apply to an SLO window: rows whose long window exceeds it are left out. */
export function defaultRulesFor(windowMs: number): DefaultRuleSelection {
  const all = DEFAULT_RULE_TABLE.map((row) => ({
    ...row,
    longMs: durationMs(row.long),
    shortMs: durationMs(row.short),
  }));
  return {
    rules: all.filter((rule) => rule.longMs <= windowMs),
    omitted: all.filter((rule) => rule.longMs > windowMs),
  };
}
