import { shown } from './durations';

/**
 * PromQL of OpenSLO metric sources, made native (SPEC §3): the Sloth / Go-template placeholder
 * `{{.window}}` becomes `{{window}}`; a bare counter selector (`http_requests_total{code="200"}`,
 * optionally in `sum(…)`) is wrapped as `sum(increase(SELECTOR[{{window}}]))`; anything else
 * without a window placeholder is refused.
 */
export type QueryConversion =
  | { ok: true; query: string; wrapped: boolean }
  | { ok: false; reason: string };

const PLACEHOLDER = /\{\{\s*\.?window\s*\}\}/g;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const MATCH_OP = /^(=~|!~|!=|=)/;

/** `counter`: the `ratioMetric.counter` flag; `false` forbids wrapping in `increase()`. */
export function convertQuery(written: string, counter?: boolean): QueryConversion {
  const text = written.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  const query = text.replace(PLACEHOLDER, '{{window}}');
  if (query.includes('{{window}}')) return { ok: true, query, wrapped: false };
  if (query.includes('{{')) {
    return { ok: false, reason: `uses a template placeholder other than {{.window}} (${shown(oneLine(query))})` };
  }
  const inner = /^sum\s*\(([\s\S]*)\)$/.exec(query);
  const selector = (inner ? inner[1] : query).trim();
  if (!isSelector(selector)) {
    return {
      ok: false,
      reason:
        `has no {{window}} (or {{.window}}) placeholder and is not a counter selector that could be wrapped as ` +
        `sum(increase(SELECTOR[{{window}}])) (${shown(oneLine(query))}); write the range as [{{window}}], e.g. sum(increase(metric[{{window}}]))`,
    };
  }
  if (counter === false) {
    return {
      ok: false,
      reason: `has no {{window}} placeholder, and ratioMetric.counter is false: the metric is not a counter, so it cannot be wrapped in increase(); write the range as [{{window}}]`,
    };
  }
  return { ok: true, query: `sum(increase(${selector}[{{window}}]))`, wrapped: true };
}

/** A PromQL instant-vector selector: `name`, `name{…}` or `{…}` with label matchers only. */
export function isSelector(text: string): boolean {
  let rest = text.trim();
  const name = METRIC_NAME.exec(rest);
  if (name) rest = rest.slice(name[0].length).trimStart();
  if (rest === '') return name !== null;
  if (!rest.startsWith('{') || !rest.endsWith('}')) return false;
  const matchers = parseMatchers(rest.slice(1, -1));
  return matchers !== null && (name !== null || matchers > 0);
}

/** Number of label matchers in the text between `{` and `}`, or `null` when it is not a matcher list. */
function parseMatchers(body: string): number | null {
  let rest = body.trim();
  let count = 0;
  while (rest !== '') {
    const label = LABEL_NAME.exec(rest);
    if (!label) return null;
    rest = rest.slice(label[0].length).trimStart();
    const op = MATCH_OP.exec(rest);
    if (!op) return null;
    rest = rest.slice(op[0].length).trimStart();
    const end = quotedLength(rest);
    if (end === null) return null;
    rest = rest.slice(end).trimStart();
    count += 1;
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest !== '') return null;
  }
  return count;
}

/** Length of the quoted string at the start of `text` (`"…"`, `'…'` or `` `…` ``), or `null`. */
function quotedLength(text: string): number | null {
  const quote = text[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') return null;
  for (let i = 1; i < text.length; i += 1) {
    if (text[i] === '\\' && quote !== '`') i += 1;
    else if (text[i] === quote) return i + 1;
  }
  return null;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ');
