import { Field, numberOf } from './field';
import { formatSeconds, parseOpenSloDuration, shown } from './durations';
import type { MappingContext } from './context';
import type { NativeRule, Origin } from './types';

export interface AlertMapping {
  rules: NativeRule[];
  /** `alerting.rules[j].long`… → the AlertCondition field it came from */
  origins: Record<string, Origin>;
}

interface MappedRule {
  rule: NativeRule;
  origins: Record<'' | 'severity' | 'burnRate' | 'long' | 'short', Origin>;
}

const PAGE_SEVERITIES = ['critical', 'high', 'page'];

/**
 * `spec.alertPolicies` of an SLO (SPEC §3): each policy's burn-rate conditions become alert rules
 * (`severity`, `burnRate` = threshold, `long` = lookbackWindow, `short` = lookbackWindow / 12).
 * No policy: the native default rules apply. `undefined`: refused (see the report).
 */
export function mapAlertPolicies(sloSpec: Field, ctx: MappingContext): AlertMapping | undefined {
  const policies = sloSpec.get('alertPolicies');
  if (!policies.present) return { rules: [], origins: {} };
  if (!policies.isList) {
    ctx.report.refuse(policies, `must be a list of alertPolicyRef or inline AlertPolicy entries, not ${policies.describe()}`);
    return undefined;
  }
  const mapped: MappedRule[] = [];
  let ok = true;
  for (const entry of policies.items()) {
    const spec = policySpec(entry, ctx);
    const rules = spec ? mapPolicySpec(spec, ctx) : undefined;
    if (rules) mapped.push(...rules);
    else ok = false;
  }
  if (!ok) return undefined;
  const unique = mapped.filter(
    (m, i) => mapped.findIndex((o) => o.rule.severity === m.rule.severity && o.rule.burnRate === m.rule.burnRate && o.rule.long === m.rule.long) === i,
  );
  const origins: Record<string, Origin> = { alerting: policies.location, 'alerting.rules': policies.location };
  unique.forEach((m, j) => {
    for (const [key, origin] of Object.entries(m.origins)) origins[key === '' ? `alerting.rules[${j}]` : `alerting.rules[${j}].${key}`] = origin;
  });
  return { rules: unique.map((m) => m.rule), origins };
}

/** The `spec` of an alertPolicies entry: `alertPolicyRef`, an inline AlertPolicy, or a bare name (slogen). */
function policySpec(entry: Field, ctx: MappingContext): Field | undefined {
  if (entry.text !== undefined) return referenced('AlertPolicy', entry, ctx);
  const ref = entry.get('alertPolicyRef');
  if (ref.present) return referenced('AlertPolicy', ref, ctx);
  return inlineSpec(entry, 'AlertPolicy', 'alertPolicyRef', ctx);
}

/** The policy's rules, or `undefined` when refused. */
export function mapPolicySpec(spec: Field, ctx: MappingContext): MappedRule[] | undefined {
  if (!spec.isMap) {
    ctx.report.refuse(spec, `is required: a mapping with conditions${spec.got()}`);
    return undefined;
  }
  let ok = true;
  const breaching = spec.get('alertWhenBreaching');
  if (breaching.present && breaching.value !== true) {
    ctx.report.refuse(
      breaching,
      breaching.value === false
        ? 'alertWhenBreaching: false is not supported: burn-rate rules alert when the budget burns too fast'
        : `must be true or false, not ${breaching.describe()}`,
    );
    ok = false;
  }
  noteTargets(spec.untracked().get('notificationTargets'), ctx);
  const conditions = spec.get('conditions');
  if (!conditions.isList || (conditions.value as unknown[]).length === 0) {
    ctx.report.refuse(conditions, 'is required: a list of burn-rate conditions (conditionRef or inline AlertCondition)');
    return undefined;
  }
  const rules: MappedRule[] = [];
  for (const entry of conditions.items()) {
    const ref = entry.get('conditionRef');
    const condition = ref.present ? referenced('AlertCondition', ref, ctx) : inlineSpec(entry, 'AlertCondition', 'conditionRef', ctx);
    const rule = condition ? mapConditionSpec(condition, ctx) : undefined;
    if (rule) rules.push(rule);
    else ok = false;
  }
  return ok ? rules : undefined;
}

/** An AlertCondition's spec: `{severity, condition: {kind: burnrate, op, threshold, lookbackWindow}}`. */
export function mapConditionSpec(spec: Field, ctx: MappingContext): MappedRule | undefined {
  if (!spec.isMap) {
    ctx.report.refuse(spec, `is required: a mapping with severity and condition${spec.got()}`);
    return undefined;
  }
  let ok = true;
  const severityField = spec.get('severity');
  if (severityField.present && severityField.text === undefined) {
    ctx.report.refuse(severityField, `must be a string (critical, high or page for a page; anything else is a ticket), not ${severityField.describe()}`);
    ok = false;
  }
  const severity = PAGE_SEVERITIES.includes((severityField.text ?? '').trim().toLowerCase()) ? 'page' : 'ticket';
  const condition = spec.get('condition');
  if (!condition.isMap) {
    ctx.report.refuse(condition, `is required: a mapping with kind: burnrate, op, threshold and lookbackWindow${condition.got()}`);
    return undefined;
  }
  const kind = condition.get('kind');
  if ((kind.text ?? '').trim().toLowerCase() !== 'burnrate') {
    const got = kind.text !== undefined ? `"${shown(kind.text)}"` : kind.describe();
    ctx.report.refuse(kind, `must be burnrate (got ${got}): only burn-rate conditions become alert rules`);
    ok = false;
  }
  const op = condition.get('op');
  const opText = (op.text ?? '').trim().toLowerCase();
  if (op.present && opText !== 'gt' && opText !== 'gte') {
    const got = op.text !== undefined ? shown(op.text) : op.describe();
    ctx.report.refuse(op, `must be gt or gte (got ${got}): a burn-rate alert fires when the burn rate is above the threshold; ${got} would invert the alert`);
    ok = false;
  }
  const thresholdField = condition.get('threshold');
  const threshold = numberOf(thresholdField.value);
  if (threshold === undefined || threshold <= 0) {
    ctx.report.refuse(
      thresholdField,
      threshold === undefined
        ? `is required: the burn rate that fires the alert, a number greater than 0${thresholdField.got(' (not ', ')')}`
        : `must be greater than 0 (got ${threshold}): it is the burn rate that fires the alert`,
    );
    ok = false;
  }
  const lookback = condition.get('lookbackWindow');
  const parsed = parseOpenSloDuration(lookback.value);
  let long = '';
  let short = '';
  if (!lookback.present) {
    ctx.report.refuse(lookback, 'is required: the long window of the rule, e.g. 1h');
    ok = false;
  } else if (!parsed.ok) {
    ctx.report.refuse(lookback, parsed.reason);
    ok = false;
  } else if (Math.round(parsed.seconds / 12) < 1) {
    ctx.report.refuse(lookback, `is too short: the short window, lookbackWindow / 12, must be at least 1s (got ${shown(String(lookback.value))})`);
    ok = false;
  } else {
    long = formatSeconds(parsed.seconds);
    short = formatSeconds(Math.round(parsed.seconds / 12));
  }
  if (!ok || threshold === undefined) return undefined;
  return {
    rule: { severity, burnRate: threshold, long, short },
    origins: {
      '': spec.location,
      severity: severityField.present ? severityField.location : spec.location,
      burnRate: thresholdField.location,
      long: lookback.location,
      short: lookback.location,
    },
  };
}

/** The spec a reference names (the document is marked as reached). */
function referenced(kind: 'AlertPolicy' | 'AlertCondition', ref: Field, ctx: MappingContext): Field | undefined {
  const doc = ctx.index.resolve(kind, ref, ctx.report);
  if (!doc) return undefined;
  ctx.reached.add(doc);
  return Field.root(doc).get('spec');
}

/** The spec of an inline object of `kind` (its `kind`, if written, must match). */
function inlineSpec(entry: Field, kind: string, refKey: string, ctx: MappingContext): Field | undefined {
  const written = entry.get('kind');
  const spec = entry.get('spec');
  if (!entry.isMap || (!written.present && !spec.present)) {
    ctx.report.refuse(entry, `must be a ${refKey} or an inline ${kind} (kind, metadata, spec), not ${entry.isMap ? 'a mapping without them' : entry.describe()}`);
    return undefined;
  }
  if (written.present && written.value !== kind) {
    ctx.report.refuse(written, `must be ${kind} (got ${written.text !== undefined ? `"${shown(written.text)}"` : written.describe()})`);
    return undefined;
  }
  return spec;
}

/**
 * Notification targets are not used (routes come from the native config): a warning for each
 * inline one and each dangling `targetRef`. Referenced target documents get their own warning.
 */
export function noteTargets(targets: Field, ctx: MappingContext): void {
  for (const target of targets.items()) {
    const ref = target.get('targetRef');
    if (ref.present) {
      const found = ref.text !== undefined ? ctx.index.find('AlertNotificationTarget', ref.text) : [];
      for (const doc of found) ctx.reached.add(doc);
      if (found.length === 0) {
        const name = ref.text !== undefined ? `"${shown(ref.text)}"` : ref.describe();
        ctx.report.note(ref, `AlertNotificationTarget ${name} is not defined in any file (dangling targetRef; notification targets are not used anyway)`);
      }
    } else {
      const name = target.get('metadata').get('name').text;
      ctx.report.note(
        target,
        `AlertNotificationTarget${name !== undefined ? ` "${shown(name)}"` : ''} ignored: notifications go where the native config's routes send them`,
      );
    }
  }
}
