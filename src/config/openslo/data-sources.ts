import type { DocumentIndex } from './documents';
import { Field, type TrackedDocument } from './field';
import { shown } from './durations';
import { isPrometheusType, PROMETHEUS_TYPES_TEXT } from './context';
import type { Findings } from './report';
import type { OpenSloPrometheusSource } from './types';

/** Keys whose values are secrets in DataSource documents (and anywhere in OpenSLO documents). */
const SECRET_KEY = /(token|passw|secret|api[-_]?key|app[-_]?key|access[-_]?key|private[-_]?key|credential|authorization|headers|cookie|bearer|session)/i;

/**
 * Secret values of an OpenSLO document: every string under a secret-like key (a `headers`
 * mapping: all its values), and the credentials of URLs (`https://user:pass@host`). The loader
 * scrubs them out of every message.
 */
export function openSloSecrets(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, secret: boolean): void => {
    if (typeof node === 'string') {
      if (secret && node.length >= 4) out.add(node);
      for (const credential of urlCredentials(node)) out.add(credential);
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, secret);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) walk(child, secret || SECRET_KEY.test(key));
    }
  };
  walk(value, false);
  return [...out];
}

function urlCredentials(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/gi)) {
    const userinfo = match[1];
    if (userinfo.length >= 4) found.push(userinfo);
    const password = userinfo.split(':').slice(1).join(':');
    if (password.length >= 4) found.push(password);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded.length >= 4) found.push(decoded);
    } catch {
      // not percent-encoded
    }
  }
  return found;
}

interface Candidate {
  doc: TrackedDocument;
  url: string;
  extraKeys: boolean;
}

/**
 * DataSource documents: a Prometheus-compatible one with an http(s) URL may serve as
 * `sources.prometheus` (the first one an SLO names through `metricSourceRef`, else the first one).
 * The others get a warning saying why they are not used. URLs never appear in messages.
 */
export function readDataSources(index: DocumentIndex, reached: Set<TrackedDocument>, findings: Findings): OpenSloPrometheusSource | undefined {
  const candidates: Candidate[] = [];
  for (const doc of index.ofKind('DataSource')) {
    const spec = Field.root(doc).get('spec');
    const label = `DataSource "${shown(doc.name)}"`;
    const warn = (at: Field, message: string): void => findings.warning({ ...at.location, message: `${label}: ${message}` });
    if (!spec.isMap) {
      warn(spec, `spec is required (type and connectionDetails)${spec.got()}; this DataSource is not used`);
      continue;
    }
    const type = spec.get('type');
    if (type.text === undefined) {
      warn(type, `type is required${type.got()}; this DataSource is not used`);
      continue;
    }
    if (!isPrometheusType(type.text)) {
      if (!reached.has(doc)) warn(type, `"${shown(type.text)}" is not a type the engine reads (${PROMETHEUS_TYPES_TEXT}); this DataSource is not used`);
      continue;
    }
    const details = spec.get('connectionDetails');
    const entries = details.isList ? details.items() : [details];
    const withUrl = entries.find((entry) => entry.get('url').present);
    if (!withUrl) {
      warn(details, 'has no url; this DataSource is not used');
      continue;
    }
    const url = withUrl.get('url');
    if (url.text === undefined || !isHttpUrl(url.text)) {
      warn(url, 'is not an http:// or https:// URL; this DataSource is not used');
      continue;
    }
    const extraKeys = entries.some((entry) => entry.keys().some((key) => key !== 'url'));
    candidates.push({ doc, url: url.text.trim(), extraKeys });
  }
  if (candidates.length === 0) return undefined;
  const chosen = candidates.find((c) => reached.has(c.doc)) ?? candidates[0];
  for (const other of candidates) {
    if (other === chosen || other.url === chosen.url) continue;
    findings.warning({
      ...Field.root(other.doc).location,
      message: `DataSource "${shown(other.doc.name)}" is not used: the engine has one Prometheus source, DataSource "${shown(chosen.doc.name)}"`,
    });
  }
  if (chosen.extraKeys) {
    findings.warning({
      ...Field.root(chosen.doc).get('spec').get('connectionDetails').location,
      message: `DataSource "${shown(chosen.doc.name)}": only the url of connectionDetails is used (headers and credentials go in sources.prometheus of the native config)`,
    });
  }
  return { file: chosen.doc.file, path: chosen.doc.path, name: chosen.doc.name, url: chosen.url };
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text.trim()).protocol);
  } catch {
    return false;
  }
}
