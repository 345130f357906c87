import { stringify } from 'yaml';
import { formatPath, joinPath } from '../config.problems';
import type { PathSegment } from '../env-substitution';
import type { TrackedDocument } from './field';
import type { Location, OpenSloExplanation } from './types';

/** Keys that only describe (names for people, labels, notes): ignored without a warning. */
const DESCRIPTIVE_KEYS = new Set(['displayName', 'labels', 'annotations', 'description', 'metadata', 'notificationTargets']);

/**
 * Keys of a document that the mapping did not read, as locations: a key nobody read is listed
 * once (what is under it is not listed again).
 */
export function ignoredKeys(doc: TrackedDocument): Location[] {
  const out: Location[] = [];
  const walk = (value: unknown, segments: PathSegment[]): void => {
    const children: Array<[PathSegment, unknown]> = Array.isArray(value)
      ? value.map((item, i): [PathSegment, unknown] => [i, item])
      : value !== null && typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
        : [];
    for (const [key, child] of children) {
      const at = [...segments, key];
      if (doc.used.has(formatPath(at))) walk(child, at);
      else out.push({ file: doc.file, path: joinPath(doc.path, formatPath(at)) });
    }
  };
  walk(doc.value, []);
  return out;
}

/** Ignored keys that change what the document means (`alertAfter`, a misspelt key…), not only how it reads. */
export function meaningfulIgnoredKeys(keys: Location[]): Location[] {
  return keys.filter((key) => !DESCRIPTIVE_KEYS.has(lastKey(key.path)));
}

function lastKey(path: string): string {
  const match = /(?:^|\.)([A-Za-z0-9_-]+)$/.exec(path);
  return match ? match[1] : '';
}

/** A location for a message: `path` in `file`, or `file path` when another file. */
export function describeLocation(at: Location, from: string): string {
  return at.file === from ? at.path || '(root)' : `${at.file} ${at.path || '(root)'}`;
}

/**
 * What `slo-engine validate --explain` prints for one OpenSLO SLO: the native SLO as a YAML
 * `slos:` item (ready to paste), and the keys ignored, as comments.
 */
export function formatExplanation(explanation: OpenSloExplanation): string {
  const where = `${explanation.file}: ${explanation.path || '(root)'}`;
  const native = stringify([explanation.slo], { lineWidth: 0 }).trimEnd();
  const ignored =
    explanation.ignored.length === 0
      ? ['# keys ignored: none']
      : ['# keys ignored (not used by the engine):', ...explanation.ignored.map((key) => `#   ${key.file}: ${key.path || '(root)'}`)];
  return [`# OpenSLO SLO "${explanation.name}" (${where}) becomes:`, native, ...ignored, ''].join('\n');
}
