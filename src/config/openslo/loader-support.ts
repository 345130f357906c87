import type { ConfigProblem } from '../app-config';
import { joinPath } from '../config.problems';
import type { Fragment } from '../config.merge';
import { SourcesSchema } from '../config.schema';
import { isOpenSloDocument } from './documents';
import { openSloSecrets } from './data-sources';
import type { OpenSloDocument, OpenSloExplanation, OpenSloPrometheusSource } from './types';

/**
 * A parsed YAML document that holds OpenSLO: one document, or a list of them (the OpenSLO go-sdk
 * and Nobl9 write files whose top level is a list), split into items at `[i]`. `undefined`: not
 * OpenSLO, the native reader takes it. `brokenPaths`: where a `${VAR}` could not be substituted
 * (already reported: no second problem there).
 */
export function collectOpenSlo(
  file: string,
  base: string,
  value: unknown,
  brokenPaths: string[] = [],
): { documents: OpenSloDocument[]; problems: ConfigProblem[]; secrets: string[] } | undefined {
  if (isOpenSloDocument(value)) return { documents: [{ file, path: base, value, brokenPaths }], problems: [], secrets: openSloSecrets(value) };
  if (!Array.isArray(value) || !value.some(isOpenSloDocument)) return undefined;
  const documents: OpenSloDocument[] = [];
  const problems: ConfigProblem[] = [];
  value.forEach((item: unknown, i) => {
    const path = joinPath(base, `[${i}]`);
    const prefix = `[${i}]`;
    const broken = brokenPaths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).replace(/^\./, ''));
    if (isOpenSloDocument(item)) documents.push({ file, path, value: item, brokenPaths: broken });
    else problems.push({ file, path, message: 'must be an OpenSLO document (apiVersion: openslo/v1, kind, metadata, spec), like the other items of this list' });
  });
  return { documents, problems, secrets: openSloSecrets(value) };
}

/**
 * A Prometheus-compatible DataSource serves as `sources.prometheus` only when the native config
 * has none (SPEC §3); when it has one with another URL, a warning (naming no URL: they may hold
 * credentials). Applied to the fragments before they are merged, so that the SLOs reading it
 * find a source. Returns the warnings.
 */
export function applyPrometheusSource(
  fragments: Fragment[],
  source: OpenSloPrometheusSource | undefined,
  makeFragment: (file: string, base: string) => Fragment,
): string[] {
  if (!source) return [];
  const parsed = SourcesSchema.safeParse({ prometheus: { url: source.url } });
  if (!parsed.success || !parsed.data.prometheus) return [];
  const prometheus = parsed.data.prometheus;
  const owner = fragments.find((fragment) => fragment.present.has('sources'));
  if (!owner) {
    const fragment = makeFragment(source.file, source.path);
    fragment.present.add('sources');
    fragment.sources = { prometheus };
    fragments.push(fragment);
    return [];
  }
  if (owner.sources === undefined) return []; // an invalid sources section has its own problem
  if (!owner.sources.prometheus) {
    owner.sources = { ...owner.sources, prometheus };
    return [];
  }
  if (owner.sources.prometheus.url.replace(/\/+$/, '') === source.url.replace(/\/+$/, '')) return [];
  return [
    `${source.file}: ${source.path || '(root)'}: DataSource "${source.name}": its URL differs from sources.prometheus.url (${owner.file}), which is the one used`,
  ];
}

/** The explanations with every secret replaced (`scrub` of the loader). */
export function scrubExplanations(explanations: OpenSloExplanation[], scrub: (text: string) => string): OpenSloExplanation[] {
  const deep = <T>(value: T): T => {
    if (typeof value === 'string') return scrub(value) as T;
    if (Array.isArray(value)) return value.map(deep) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, deep(v)])) as T;
    }
    return value;
  };
  return explanations.map(deep);
}
