/**
 * Wording shared by the receivers' message builders (PagerDuty summary, Slack text, log line):
 * numbers, percentages and the one-line summary of a notification. Pure, no framework imports.
 */
import { SOURCE_FAILURE_THRESHOLD, type NotificationMessage } from '../ports/notification-message';
import { formatBudgetPercent } from '../../common/format-percent';

/** 15.234 → "15.2", 2.1 → "2.1", 0.034 → "0.03", 1234.5 → "1235". */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(n.toFixed(digits)));
}

/** A burn rate: `15.2×`. */
export function formatRate(n: number): string {
  return `${formatNumber(n)}×`;
}

/** "2% of budget left", "error budget exhausted, −12% left", "budget unknown" (percentages as the gate writes them). */
export function budgetClause(remaining: number | null): string {
  if (remaining === null) return 'budget unknown';
  return remaining > 0 ? `${formatBudgetPercent(remaining)} of budget left` : `error budget exhausted, ${formatBudgetPercent(remaining)} left`;
}

/** The burn rate of `window` at the evaluation, if known. */
export function rateOf(message: Pick<NotificationMessage, 'burnRates'>, window: string): number | null {
  const rates = message.burnRates;
  return rates !== null && Object.prototype.hasOwnProperty.call(rates, window) ? (rates[window] ?? null) : null;
}

/** Whitespace runs (newlines included) as one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `[page] checkout-availability` */
export function alertLabel(message: Pick<NotificationMessage, 'severity' | 'slo'>): string {
  return `[${message.severity}] ${message.slo}`;
}

/** What is happening, without the label: `burning error budget at 15.2× over 1h`. */
export function headline(message: NotificationMessage): string {
  const still = message.action === 'repeat' ? 'still ' : '';
  if (message.alertKind === 'source-unavailable') {
    switch (message.action) {
      case 'trigger':
        return `SLI source unavailable (${SOURCE_FAILURE_THRESHOLD} failed evaluations in a row)`;
      case 'repeat':
        return 'SLI source still unavailable';
      case 'resolve':
        return 'resolved, SLI source available again';
    }
  }
  const rule = message.rule;
  if (rule === null) return message.action === 'resolve' ? 'resolved' : `${still}burning error budget`;
  if (message.action === 'resolve') {
    return `resolved, no longer burning error budget at ≥ ${formatRate(rule.burnRate)} over ${rule.long}`;
  }
  const rate = rateOf(message, rule.long);
  const at = rate === null ? `≥ ${formatRate(rule.burnRate)}` : formatRate(rate);
  return `${still}burning error budget at ${at} over ${rule.long}`;
}

/**
 * The one-line summary, e.g. `[page] checkout-availability: burning error budget at 15.2× over 1h
 * (2% of budget left)` or `[ticket] checkout-availability: SLI source unavailable (3 failed
 * evaluations in a row): connect ECONNREFUSED`. Not truncated.
 */
export function summaryLine(message: NotificationMessage): string {
  const base = `${alertLabel(message)}: ${headline(message)}`;
  if (message.alertKind === 'source-unavailable') {
    return message.action !== 'resolve' && message.lastError ? `${base}: ${oneLine(message.lastError)}` : base;
  }
  return `${base} (${budgetClause(message.remaining)})`;
}
