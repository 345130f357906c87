import type { ConfigProblem } from '../app-config';
import { joinPath } from '../config.problems';
import { Field, trackDocument, type TrackedDocument } from './field';
import { shown } from './durations';
import type { Report } from './report';
import type { OpenSloDocument } from './types';

export const OPENSLO_API_VERSION = 'openslo/v1';
export const KINDS = ['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'] as const;
export type Kind = (typeof KINDS)[number];

/** The name of an SLO becomes the native `id`. */
const SLO_NAME = /^[a-z0-9-]+$/;
const SLO_NAME_MAX = 128;

/**
 * OpenSLO-ish documents: any `apiVersion` mentioning OpenSLO (`openslo/v1`, `openslo/v1alpha`,
 * `openslo.com/v1`, any case), so that the ones this engine does not read are refused naming
 * `apiVersion` rather than read as native config.
 */
export function isOpenSloDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const apiVersion = Object.prototype.hasOwnProperty.call(value, 'apiVersion') ? (value as Record<string, unknown>).apiVersion : undefined;
  return typeof apiVersion === 'string' && /openslo/i.test(apiVersion);
}

/**
 * Every OpenSLO document of every file, indexed by kind and name, for the references of SPEC §3
 * (`indicatorRef`, `alertPolicyRef`, `conditionRef`, `targetRef`, and `metricSourceRef`).
 * Documents whose identity is broken (apiVersion, kind, metadata.name) are refused here and not
 * indexed.
 */
export class DocumentIndex {
  readonly documents: TrackedDocument[] = [];
  /** SLOs whose name cannot be an id: refused, but still mapped so that all their problems are reported */
  readonly badSloNames = new Set<TrackedDocument>();
  private readonly byKey = new Map<string, TrackedDocument[]>();

  constructor(docs: OpenSloDocument[], problems: ConfigProblem[]) {
    for (const doc of docs) {
      const tracked = trackDocument(doc);
      const refusal = identityProblem(tracked);
      if (refusal) problems.push({ file: doc.file, path: joinPath(doc.path, refusal.path), message: refusal.message });
      if (refusal && !refusal.badSloName) continue;
      if (refusal) this.badSloNames.add(tracked);
      this.documents.push(tracked);
      const key = keyOf(tracked.kind, tracked.name);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), tracked]);
    }
  }

  find(kind: Kind, name: string): TrackedDocument[] {
    return this.byKey.get(keyOf(kind, name)) ?? [];
  }

  ofKind(kind: Kind): TrackedDocument[] {
    return this.documents.filter((doc) => doc.kind === kind);
  }

  /**
   * The document a reference names. A missing or ambiguous one is refused at the reference (an
   * error when an SLO needs it, a warning otherwise: the caller decides).
   */
  resolve(kind: Kind, ref: Field, report: Report): TrackedDocument | undefined {
    const name = ref.text;
    if (name === undefined || name.trim() === '') {
      report.refuse(ref, `must be the name of ${article(kind)} ${kind} document, not ${ref.describe()}`);
      return undefined;
    }
    const found = this.find(kind, name);
    if (found.length === 0) {
      report.refuse(ref, `${kind} "${shown(name)}" is not defined in any file (dangling reference)`);
      return undefined;
    }
    if (found.length > 1) {
      const places = found.map((doc) => `${doc.file} ${doc.path || '(root)'}`).join(', ');
      report.refuse(ref, `${kind} "${shown(name)}" is defined more than once (${places}): the reference is ambiguous`);
      return undefined;
    }
    return found[0];
  }
}

/** Names other than the first of their kind: a warning each (a reference to them is ambiguous). */
export function duplicateNames(index: DocumentIndex, report: Report): void {
  const seen = new Map<string, TrackedDocument>();
  for (const doc of index.documents) {
    if (doc.kind === 'SLO') continue; // a duplicate SLO is an error (a duplicate id), see convert.ts
    const key = keyOf(doc.kind, doc.name);
    const first = seen.get(key);
    if (first) report.note(Field.root(doc).get('metadata').get('name'), `${doc.kind} "${doc.name}" is also defined in ${first.file} ${first.path || '(root)'}`);
    else seen.set(key, doc);
  }
}

function identityProblem(doc: TrackedDocument): { path: string; message: string; badSloName?: boolean } | undefined {
  const root = Field.root(doc);
  const apiVersion = root.get('apiVersion').text ?? '';
  if (apiVersion !== OPENSLO_API_VERSION) {
    return {
      path: 'apiVersion',
      message: `"${shown(apiVersion)}" is not supported: only OpenSLO v1 documents (apiVersion: ${OPENSLO_API_VERSION}) are read; convert this document to OpenSLO v1`,
    };
  }
  const kind = root.get('kind');
  if (!(KINDS as readonly unknown[]).includes(kind.value)) {
    const got = kind.text !== undefined ? `"${shown(kind.text)}"` : kind.describe();
    return { path: 'kind', message: `must be one of ${KINDS.join(', ')} (got ${got})` };
  }
  const metadata = root.get('metadata');
  if (!metadata.isMap) return { path: 'metadata', message: `is required: a mapping with the document's name${metadata.got()}` };
  const name = metadata.get('name');
  if (name.text === undefined || name.text.trim() === '') {
    return { path: 'metadata.name', message: `is required: the ${doc.kind || 'document'}'s name${name.got()}` };
  }
  if (doc.kind === 'SLO' && (!SLO_NAME.test(name.text) || name.text.length > SLO_NAME_MAX)) {
    return {
      path: 'metadata.name',
      message: `"${shown(name.text)}" cannot be an SLO id: it becomes the id, which must contain only lowercase letters, digits and "-" (at most ${SLO_NAME_MAX} characters)`,
      badSloName: true,
    };
  }
  return undefined;
}

const keyOf = (kind: string, name: string): string => `${kind}\u0000${name}`;
const article = (kind: string): string => (/^[AEIOU]/.test(kind) ? 'an' : 'a');
