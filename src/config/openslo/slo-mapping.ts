import { Field, numberOf, type TrackedDocument } from './field';
import { shown } from './durations';
import { mapAlertPolicies } from './alert-mapping';
import { mapIndicator } from './sli-mapping';
import { mapTimeWindow } from './time-window';
import type { MappingContext } from './context';
import type { NativeSlo, Origin } from './types';

export interface SloMapping {
  slo: NativeSlo;
  origins: Record<string, Origin>;
}

/**
 * One OpenSLO `SLO` document → one native SLO (SPEC §3 mapping table). Every field is checked, so
 * that all refusals are reported at once; `undefined` when anything was refused.
 */
export function mapSlo(doc: TrackedDocument, ctx: MappingContext): SloMapping | undefined {
  const root = Field.root(doc);
  const name = root.get('metadata').get('name');
  const spec = root.get('spec');
  if (!spec.isMap) {
    ctx.report.refuse(spec, `is required: a mapping with service, indicator, objectives (and timeWindow, alertPolicies)${spec.got()}`);
    return undefined;
  }
  const before = ctx.report.refusals.length;
  const service = spec.get('service');
  if (service.text === undefined || service.text.trim() === '') {
    const got = service.text !== undefined ? ', not an empty string' : service.got();
    ctx.report.refuse(service, `is required: the service the SLO belongs to (the deploy gate's unit)${got}`);
  }
  const description = spec.get('description');
  if (description.present && description.text === undefined) ctx.report.refuse(description, `must be a string, not ${description.describe()}`);
  checkBudgetingMethod(spec.get('budgetingMethod'), ctx);
  const objective = mapObjective(spec, ctx);
  const window = mapTimeWindow(spec, ctx);
  const indicator = mapIndicator(spec, ctx);
  const alerting = mapAlertPolicies(spec, ctx);
  if (ctx.report.refusals.length > before || !objective || !window || !indicator || !alerting || service.text === undefined) return undefined;

  const slo: NativeSlo = {
    id: doc.name,
    service: service.text,
    ...(description.text !== undefined ? { description: description.text } : {}),
    objective: objective.value,
    window: window.window,
    sli: indicator.sli,
    ...(alerting.rules.length > 0 ? { alerting: { rules: alerting.rules } } : {}),
  };
  return {
    slo,
    origins: {
      '': root.location,
      id: name.location,
      service: service.location,
      description: description.location,
      objective: objective.origin,
      window: window.origin,
      ...indicator.origins,
      ...alerting.origins,
    },
  };
}

function checkBudgetingMethod(method: Field, ctx: MappingContext): void {
  if (!method.present) return;
  const text = method.text?.trim() ?? '';
  if (text.toLowerCase() === 'occurrences') return;
  if (['timeslices', 'ratiotimeslices'].includes(text.toLowerCase())) {
    ctx.report.refuse(
      method,
      `${text} is not supported: the engine budgets by Occurrences (good events / all events over the window); time-slice budgets would give different numbers`,
    );
  } else {
    ctx.report.refuse(method, `must be Occurrences (got ${method.text !== undefined ? `"${shown(text)}"` : method.describe()})`);
  }
}

/** `objectives[0].target` (a fraction) or `targetPercent` → `objective` (percent). */
export function mapObjective(spec: Field, ctx: MappingContext): { value: number; origin: Origin } | undefined {
  const list = spec.get('objectives');
  if (!list.isList || (list.value as unknown[]).length === 0) {
    ctx.report.refuse(list, `is required: one objective with target (a fraction such as 0.999) or targetPercent${list.isList ? ', not an empty list' : list.got()}`);
    return undefined;
  }
  const count = (list.value as unknown[]).length;
  if (count > 1) {
    ctx.report.refuse(list, `more than one objective is not supported (got ${count}): an SLO has one objective`);
    return undefined;
  }
  const objective = list.item(0);
  if (!objective.isMap) {
    ctx.report.refuse(objective, `must be a mapping with target or targetPercent, not ${objective.describe()}`);
    return undefined;
  }
  let ok = true;
  for (const key of ['indicator', 'indicatorRef']) {
    const composite = objective.get(key);
    if (composite.present) {
      ctx.report.refuse(composite, `composite objectives (an ${key} inside an objective) are not supported: an SLO has one SLI`);
      ok = false;
    }
  }
  const target = objective.get('target');
  const percent = objective.get('targetPercent');
  if (target.present && percent.present) {
    ctx.report.refuse(percent, 'give either target or targetPercent, not both');
    return undefined;
  }
  if (!target.present && !percent.present) {
    ctx.report.refuse(target, 'is required (or targetPercent): the objective, a fraction such as 0.999');
    return undefined;
  }
  const field = target.present ? target : percent;
  const scale = target.present ? 100 : 1;
  const value = numberOf(field.value);
  if (value === undefined || !(value * scale > 0 && value * scale < 100)) {
    const range = target.present ? 'a fraction between 0 and 1 exclusive, such as 0.999' : 'a percentage between 0 and 100 exclusive, such as 99.9';
    ctx.report.refuse(field, `must be ${range} (got ${value !== undefined ? String(value) : field.describe()})`);
    return undefined;
  }
  return ok ? { value: Number((value * scale).toPrecision(12)), origin: field.location } : undefined;
}
