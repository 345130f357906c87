/**
 * Wording shared by the receivers' message builders (PagerDuty summary, Slack text, log line):
 * numbers, percentages, durations and the one-line summary of a notification or a postmortem
 * reminder. Pure, no framework imports.
 */
import {
  isReminder,
  SOURCE_FAILURE_THRESHOLD,
  type NotificationMessage,
  type OutboxMessage,
  type PageResolution,
  type PostmortemReminderMessage,
} from '../ports/notification-message';
import { formatBudgetPercent, formatThresholdPercent } from '../../common/format-percent';
import { formatDuration } from '../../common/duration';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

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

/**
 * How long something lasted, in the config's duration units, to a sensible precision: seconds below
 * a minute (`45s`), whole minutes below an hour (`42m`), hours and minutes below a day (`2h5m`),
 * then days and hours (`3d4h`; a whole number of weeks is `1w`).
 */
export function formatLasted(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds)) * 1000;
  if (ms === 0) return '0s';
  if (ms < MINUTE_MS) return formatDuration(ms);
  const minutes = Math.round(ms / MINUTE_MS);
  if (minutes < 60) return formatDuration(minutes * MINUTE_MS);
  const parts = (big: number, small: number, smallMs: number, bigMs: number): string =>
    `${formatDuration(big * bigMs)}${small > 0 ? formatDuration(small * smallMs) : ''}`;
  if (minutes < 24 * 60) return parts(Math.floor(minutes / 60), minutes % 60, MINUTE_MS, HOUR_MS);
  const hours = Math.round(minutes / 60);
  return parts(Math.floor(hours / 24), hours % 24, HOUR_MS, DAY_MS);
}

/**
 * What a page's resolve says of it: `lasted 42m, cost 3.1% of the budget` (the cost left out when
 * unknown). The cost is written as thresholds are (to two decimals, `19.6%`, not rounded to `20%`),
 * so that it reads right against `policy.postmortems.budgetThreshold`.
 */
export function resolutionClause(resolution: PageResolution): string {
  const lasted = `lasted ${formatLasted(resolution.lastedSeconds)}`;
  return resolution.budgetCost === null ? lasted : `${lasted}, cost ${formatThresholdPercent(resolution.budgetCost)} of the budget`;
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
 * (2% of budget left)`, a page's resolve `[page] checkout-availability: resolved, no longer burning
 * error budget at ≥ 14.4× over 1h (lasted 42m, cost 3.1% of the budget; 41% of budget left)`,
 * `[ticket] checkout-availability: SLI source unavailable (3 failed evaluations in a row): connect
 * ECONNREFUSED`, or a postmortem reminder ({@link reminderSummary}). Not truncated.
 */
export function summaryLine(message: OutboxMessage): string {
  if (isReminder(message)) return reminderSummary(message);
  const base = `${alertLabel(message)}: ${headline(message)}`;
  if (message.alertKind === 'source-unavailable') {
    return message.action !== 'resolve' && message.lastError ? `${base}: ${oneLine(message.lastError)}` : base;
  }
  const resolution = message.action === 'resolve' && message.resolution ? `${resolutionClause(message.resolution)}; ` : '';
  return `${base} (${resolution}${budgetClause(message.remaining)})`;
}

/** What is overdue: `postmortem of incident inc-…`, or `action item "Add retries" of incident inc-…`. */
export function reminderSubject(message: PostmortemReminderMessage): string {
  const of = `of incident ${message.incident.id}`;
  return message.what === 'postmortem' ? `postmortem ${of}` : `action item "${oneLine(message.title)}" ${of}`;
}

/**
 * A postmortem reminder's line: `[postmortem] checkout: postmortem of incident inc-… overdue since
 * 2026-11-23T10:00:00.000Z`, with `(owner …)` when it has one. Not truncated.
 */
export function reminderSummary(message: PostmortemReminderMessage): string {
  const owner = message.owner ? ` (owner ${oneLine(message.owner)})` : '';
  return `[postmortem] ${message.service}: ${reminderSubject(message)} overdue since ${message.dueAt}${owner}`;
}
