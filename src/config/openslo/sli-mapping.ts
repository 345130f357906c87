import { Field } from './field';
import { shown } from './durations';
import { convertQuery } from './queries';
import { isPrometheusType, PROMETHEUS_TYPES_TEXT, type MappingContext } from './context';
import type { NativeSlo, Origin } from './types';

export interface SliMapping {
  sli: NativeSlo['sli'];
  /** `sli.source`, `sli.goodQuery`… → where they came from */
  origins: Record<string, Origin>;
}

const SOURCE_HINT =
  'an OpenSLO SLO reads Prometheus: add sources.prometheus to the native config, or a DataSource of a Prometheus-compatible type';

/**
 * The SLI of an SLO document: `spec.indicator` inline, or `spec.indicatorRef` to an `SLI`
 * document of any file (SPEC §3).
 */
export function mapIndicator(sloSpec: Field, ctx: MappingContext): SliMapping | undefined {
  const inline = sloSpec.get('indicator');
  const ref = sloSpec.get('indicatorRef');
  if (inline.present && ref.present) {
    ctx.report.refuse(ref, 'give either indicator or indicatorRef, not both');
    return undefined;
  }
  if (ref.present) {
    const doc = ctx.index.resolve('SLI', ref, ctx.report);
    if (!doc) return undefined;
    ctx.reached.add(doc);
    return mapSliSpec(Field.root(doc).get('spec'), ctx);
  }
  if (!inline.present) {
    ctx.report.refuse(inline, 'is required (or indicatorRef): the SLI, a ratioMetric of good (or bad) and total events');
    return undefined;
  }
  if (!inline.isMap) {
    ctx.report.refuse(inline, `must be a mapping (an inline SLI with metadata and spec), not ${inline.describe()}`);
    return undefined;
  }
  return mapSliSpec(inline.get('spec'), ctx);
}

/** An SLI's `spec`: only `ratioMetric` with good (or bad) and total counts is supported. */
export function mapSliSpec(spec: Field, ctx: MappingContext): SliMapping | undefined {
  if (!spec.isMap) {
    ctx.report.refuse(spec, `is required: a mapping with a ratioMetric${spec.got()}`);
    return undefined;
  }
  const threshold = spec.get('thresholdMetric');
  if (threshold.present) {
    ctx.report.refuse(
      threshold,
      'a thresholdMetric SLI is not supported: the engine counts good and total events; write it as a ratioMetric (good or bad, and total)',
    );
    return undefined;
  }
  const ratio = spec.get('ratioMetric');
  if (!ratio.present) {
    ctx.report.refuse(ratio, 'is required: the engine reads a ratioMetric of good (or bad) and total events');
    return undefined;
  }
  if (!ratio.isMap) {
    ctx.report.refuse(ratio, `must be a mapping (good or bad, and total), not ${ratio.describe()}`);
    return undefined;
  }
  return mapRatioMetric(ratio, ctx);
}

function mapRatioMetric(ratio: Field, ctx: MappingContext): SliMapping | undefined {
  const raw = ratio.get('raw');
  ratio.get('rawType');
  if (raw.present) {
    ctx.report.refuse(raw, 'a raw ratio query (ratioMetric.raw) is not supported: the engine needs good (or bad) and total event counts');
    return undefined;
  }
  const counterField = ratio.get('counter');
  let counter: boolean | undefined;
  if (typeof counterField.value === 'boolean') counter = counterField.value;
  else if (counterField.present) ctx.report.refuse(counterField, `must be true or false, not ${counterField.describe()}`);

  const good = ratio.get('good');
  const bad = ratio.get('bad');
  const total = ratio.get('total');
  let ok = !counterField.present || counter !== undefined;
  if (good.present && bad.present) {
    ctx.report.refuse(bad, 'give either good or bad, not both');
    ok = false;
  } else if (!good.present && !bad.present) {
    ctx.report.refuse(good, 'is required (or bad): the metric source counting good events');
    ok = false;
  }
  if (!total.present) {
    ctx.report.refuse(total, 'is required: the metric source counting all events');
    ok = false;
  }
  const first = good.present ? good : bad;
  const firstQuery = first.present ? mapPart(first, counter, ctx) : undefined;
  const totalQuery = total.present ? mapPart(total, counter, ctx) : undefined;
  if (!ok || !firstQuery || !totalQuery) return undefined;

  const key = good.present ? 'goodQuery' : 'errorQuery';
  const sli: NativeSlo['sli'] = { source: 'prometheus', [key]: firstQuery.query, totalQuery: totalQuery.query };
  return {
    sli,
    origins: {
      sli: first.location,
      'sli.source': { ...firstQuery.typeAt, hint: SOURCE_HINT },
      [`sli.${key}`]: firstQuery.queryAt,
      'sli.totalQuery': totalQuery.queryAt,
    },
  };
}

interface PartQuery {
  query: string;
  queryAt: Origin;
  typeAt: Origin;
}

/** `good`, `bad` or `total`: `{metricSource: {type, metricSourceRef?, spec: {query | promql}}}`. */
function mapPart(part: Field, counter: boolean | undefined, ctx: MappingContext): PartQuery | undefined {
  if (!part.isMap) {
    ctx.report.refuse(part, `must be a mapping with a metricSource, not ${part.describe()}`);
    return undefined;
  }
  const source = part.get('metricSource');
  if (!source.isMap) {
    ctx.report.refuse(source, `is required: a mapping with type and spec (the query)${source.got()}`);
    return undefined;
  }
  const typeField = source.get('type');
  if (!checkType(source, typeField, ctx)) return undefined;

  const spec = source.get('spec');
  if (!spec.isMap) {
    ctx.report.refuse(spec, `is required: a mapping with the query (query or promql)${spec.got()}`);
    return undefined;
  }
  let ok = true;
  const dimensions = spec.get('dimensions');
  if (dimensions.present) {
    ctx.report.refuse(
      dimensions,
      'metricSource.spec.dimensions is not supported: the engine evaluates one good and one total count per SLO; aggregate in the query instead',
    );
    ok = false;
  }
  const query = spec.get('query');
  const promql = spec.get('promql');
  let field = query;
  if (query.present && promql.present) {
    ctx.report.refuse(promql, 'give either query or promql, not both');
    return undefined;
  }
  if (!query.present) field = promql;
  if (!field.present) {
    ctx.report.refuse(query, 'is required (or promql, as Nobl9 writes it): the PromQL query');
    return undefined;
  }
  if (field.text === undefined) {
    ctx.report.refuse(field, `must be a PromQL string, not ${field.describe()}`);
    return undefined;
  }
  const converted = convertQuery(field.text, counter);
  if (!converted.ok) {
    ctx.report.refuse(field, `the query ${converted.reason}`);
    return undefined;
  }
  if (converted.wrapped && ctx.forSlo) {
    ctx.report.note(field, `the query has no window placeholder: read as the counter ${converted.query}`);
  }
  return ok ? { query: converted.query, queryAt: field.location, typeAt: typeField.location } : undefined;
}

/** `metricSource.type`, or the type of the DataSource that `metricSourceRef` names. */
function checkType(source: Field, typeField: Field, ctx: MappingContext): boolean {
  const ref = source.get('metricSourceRef');
  const dataSources = ref.text !== undefined ? ctx.index.find('DataSource', ref.text) : [];
  if (dataSources.length === 1) ctx.reached.add(dataSources[0]);
  if (typeField.present) {
    if (typeField.text === undefined) {
      ctx.report.refuse(typeField, `must be a string (${PROMETHEUS_TYPES_TEXT}), not ${typeField.describe()}`);
      return false;
    }
    if (!isPrometheusType(typeField.text)) {
      ctx.report.refuse(
        typeField,
        `"${shown(typeField.text)}" is not supported: the engine reads Prometheus-compatible sources only (${PROMETHEUS_TYPES_TEXT})`,
      );
      return false;
    }
    return true;
  }
  if (dataSources.length === 1) {
    const type = Field.root(dataSources[0]).get('spec').get('type').text ?? '';
    if (isPrometheusType(type)) return true;
    ctx.report.refuse(
      ref,
      `DataSource "${shown(ref.text ?? '')}" has the type "${shown(type)}", which is not supported: the engine reads Prometheus-compatible sources only (${PROMETHEUS_TYPES_TEXT})`,
    );
    return false;
  }
  if (ref.text !== undefined && dataSources.length === 0) {
    ctx.report.refuse(ref, `DataSource "${shown(ref.text)}" is not defined in any file (dangling reference), and metricSource.type is not given`);
  } else {
    ctx.report.refuse(typeField, `is required (${PROMETHEUS_TYPES_TEXT}), or a metricSourceRef naming a DataSource of such a type`);
  }
  return false;
}
