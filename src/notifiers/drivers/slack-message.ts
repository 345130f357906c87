/**
 * SPEC §6: the Slack incoming-webhook message of a notification — Block Kit blocks and the plain
 * `text` fallback (what notifications and screen readers show). Pure, no framework imports.
 */
import { isReminder, type NotificationMessage, type OutboxMessage, type PostmortemReminderMessage } from '../ports/notification-message';
import { formatRate, headline, rateOf, resolutionClause, summaryLine } from './message-format';
import { formatBudgetPercent } from '../../common/format-percent';
import { truncate } from '../../common/truncate';

/** Slack's limits for messages (Block Kit reference). */
export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, fields: 10, fieldText: 2000, text: 3000 } as const;

export interface SlackPlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface SlackMrkdwn {
  type: 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackPlainText }
  | { type: 'section'; text?: SlackMrkdwn; fields?: SlackMrkdwn[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's three control characters, escaped as Slack requires in any mrkdwn text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts escaped mrkdwn to `max` characters without leaving half an entity (`&am`) or an unclosed
 * `<link|…` behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = truncate(text, max).slice(0, -1);
  cut = cut.replace(/&[a-z]{0,3}$/, '');
  if (cut.lastIndexOf('<') > cut.lastIndexOf('>')) cut = cut.slice(0, cut.lastIndexOf('<'));
  return `${cut}…`;
}

/** User-provided text, escaped and cut to `max`. */
function userText(text: string, max: number): string {
  return truncateMrkdwn(escapeSlack(text), max);
}

/** `<url|label>`; a URL too long for a message is shown as text instead. */
function link(url: string, label: string): string {
  if (url.length > 1000) return `${escapeSlack(label)}: ${userText(url, 300)}`;
  return `<${escapeSlack(url).replace(/\|/g, '%7C')}|${escapeSlack(label)}>`;
}

/** A date Slack shows in the reader's time zone, with the ISO string as fallback. */
function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return userText(iso, 100);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${escapeSlack(iso)}>`;
}

function mrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): SlackMrkdwn {
  return { type: 'mrkdwn', text: truncateMrkdwn(text, max) };
}

function field(title: string, value: string): SlackMrkdwn {
  return mrkdwn(`*${title}*\n${value}`, SLACK_LIMITS.fieldText);
}

function title(message: NotificationMessage): string {
  const severity = message.severity.toUpperCase();
  const icon = message.severity === 'page' ? ':rotating_light:' : ':warning:';
  if (message.alertKind === 'source-unavailable') {
    switch (message.action) {
      case 'trigger':
        return `${icon} ${severity}: ${message.slo} SLI source unavailable`;
      case 'repeat':
        return `${icon} ${severity}: ${message.slo} SLI source still unavailable`;
      case 'resolve':
        return `:white_check_mark: ${severity} resolved: ${message.slo} SLI source available again`;
    }
  }
  switch (message.action) {
    case 'trigger':
      return `${icon} ${severity} firing: ${message.slo}`;
    case 'repeat':
      return `${icon} ${severity} still firing: ${message.slo}`;
    case 'resolve':
      return `:white_check_mark: ${severity} resolved: ${message.slo}`;
  }
}

function intro(message: NotificationMessage): string {
  const owner = [`service *${userText(message.service, 200)}*`, message.team ? `team *${userText(message.team, 200)}*` : null]
    .filter((part): part is string => part !== null)
    .join(', ');
  const lines = [
    `*${userText(message.slo, 300)}* (${owner}): ${escapeSlack(headline(message))}.`,
    `Objective ${message.objective}% over ${escapeSlack(message.window)}.`,
  ];
  // a page's resolve: how long it lasted and what it cost (SPEC §13)
  if (message.action === 'resolve' && message.resolution) lines.splice(1, 0, `${capitalise(resolutionClause(message.resolution))}.`);
  if (message.description) lines.push(userText(message.description, 1_500));
  return lines.join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A page's incident: its id, linked to its page on the board. */
function incidentFields(message: NotificationMessage): SlackMrkdwn[] {
  return message.incident ? [field('Incident', link(message.incident.url, message.incident.id))] : [];
}

function burnRateFields(message: NotificationMessage): SlackMrkdwn[] {
  const fields: SlackMrkdwn[] = [];
  const rule = message.rule;
  if (rule) {
    fields.push(field(message.action === 'resolve' ? 'Rule that fired' : 'Rule', `burn rate ≥ ${formatRate(rule.burnRate)} over ${escapeSlack(rule.long)} and ${escapeSlack(rule.short)}`));
    const rates = [
      ['long', rule.long],
      ['short', rule.short],
    ].map(([which, window]) => {
      const rate = rateOf(message, window);
      return `${which} ${escapeSlack(window)}: ${rate === null ? 'unknown' : formatRate(rate)}`;
    });
    fields.push(field('Burn rates', rates.join(' · ')));
  }
  return fields;
}

function commonFields(message: NotificationMessage): SlackMrkdwn[] {
  const stale = message.alertKind === 'source-unavailable' ? ' (last known)' : '';
  const fields = [
    field(`Budget remaining${stale}`, message.remaining === null ? 'unknown' : formatBudgetPercent(message.remaining)),
    field('Zone', escapeSlack(message.zone)),
  ];
  if (message.alertKind === 'burn-rate' && message.action !== 'resolve') {
    fields.push(field('Exhaustion forecast', message.exhaustsAt ? slackDate(message.exhaustsAt) : 'none at the current rate'));
  }
  fields.push(
    message.action === 'resolve'
      ? field('Fired', `${slackDate(message.since)} to ${slackDate(message.at)}`)
      : field('Firing since', slackDate(message.since)),
  );
  return fields;
}

function otherRates(message: NotificationMessage): string | null {
  if (message.burnRates === null) return null;
  const shown = new Set(message.rule ? [message.rule.long, message.rule.short] : []);
  const others = Object.entries(message.burnRates).filter(([window]) => !shown.has(window));
  if (others.length === 0) return null;
  const label = message.rule ? 'Other burn rates' : message.alertKind === 'source-unavailable' ? 'Last known burn rates' : 'Burn rates';
  return `*${label}*: ${others.map(([window, rate]) => `${escapeSlack(window)} ${formatRate(rate)}`).join(' · ')}`;
}

function lastError(message: NotificationMessage): string | null {
  if (message.alertKind !== 'source-unavailable' || message.action === 'resolve' || !message.lastError) return null;
  const error = userText(message.lastError.replace(/```/g, "'''"), 2_000);
  return `*Last error*\n\`\`\`${error}\`\`\``;
}

function linksLine(message: NotificationMessage): string | null {
  const links = [
    message.runbook ? `:book: ${link(message.runbook, 'Runbook')}` : null,
    message.budgetUrl ? `:bar_chart: ${link(message.budgetUrl, 'Error budget')}` : null,
  ].filter((l): l is string => l !== null);
  return links.length > 0 ? links.join('   ') : null;
}

/**
 * The message for `message`: a header, what happened (a page's resolve: how long it lasted and what
 * it cost), the numbers (a page: its incident, linked), the last error, the links. A postmortem
 * reminder has its own ({@link reminderSlackMessage}).
 */
export function slackMessage(message: OutboxMessage): SlackMessage {
  if (isReminder(message)) return reminderSlackMessage(message);
  const section = (text: string | null): SlackBlock[] => (text ? [{ type: 'section', text: mrkdwn(text) }] : []);
  const fields = [...incidentFields(message), ...burnRateFields(message), ...commonFields(message)].slice(0, SLACK_LIMITS.fields);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title(message), SLACK_LIMITS.headerText), emoji: true } },
    ...section(intro(message)),
    { type: 'section', fields },
    ...section(otherRates(message)),
    ...section(lastError(message)),
    ...section(linksLine(message)),
  ];
  return {
    text: truncateMrkdwn(escapeSlack(summaryLine(message)), SLACK_LIMITS.text),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/**
 * A postmortem reminder (SPEC §6, §13): what is overdue (the postmortem, or an action item by its
 * title) of which incident, linked; the service and team, the owner, and when it was due.
 */
export function reminderSlackMessage(message: PostmortemReminderMessage): SlackMessage {
  const what = message.what === 'postmortem' ? 'Postmortem' : 'Action item';
  const team = message.team ? `, team *${userText(message.team, 200)}*` : '';
  const subject =
    message.what === 'postmortem'
      ? `The postmortem of incident ${link(message.incident.url, message.incident.id)}`
      : `Action item *${userText(message.title, 1_000)}* of incident ${link(message.incident.url, message.incident.id)}`;
  const intro = `${subject} (service *${userText(message.service, 200)}*${team}) is overdue: it was due ${slackDate(message.dueAt)}.`;
  const fields = [
    field('Incident', link(message.incident.url, message.incident.id)),
    field('Owner', message.owner ? userText(message.owner, 500) : 'none named'),
    field('Due', slackDate(message.dueAt)),
  ];
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`:memo: ${what} overdue: ${message.service}`, SLACK_LIMITS.headerText), emoji: true } },
    { type: 'section', text: mrkdwn(intro) },
    { type: 'section', fields },
  ];
  return {
    text: truncateMrkdwn(escapeSlack(summaryLine(message)), SLACK_LIMITS.text),
    blocks,
  };
}
