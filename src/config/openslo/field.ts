import { formatPath, joinPath } from '../config.problems';
import type { PathSegment } from '../env-substitution';
import type { Location } from './types';

/** One OpenSLO document, with the paths inside it that the mapping read (for the ignored keys). */
export interface TrackedDocument extends Location {
  value: Record<string, unknown>;
  /** `kind` and `metadata.name` when they are strings ('' otherwise) */
  kind: string;
  name: string;
  /** formatted paths, relative to the document, that the mapping read */
  used: Set<string>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A field of an OpenSLO document, read defensively: any input (a scalar where a mapping is
 * expected, a missing spec, `__proto__` keys) gives `undefined` values, never a throw. Reading a
 * key records it as used, so that the keys nobody read can be listed as ignored.
 */
export class Field {
  constructor(
    readonly doc: TrackedDocument,
    readonly segments: PathSegment[],
    readonly value: unknown,
    /** false: reading under this field does not count as using it (it stays listed as ignored) */
    private readonly tracked = true,
  ) {}

  static root(doc: TrackedDocument): Field {
    return new Field(doc, [], doc.value);
  }

  /** The child under `key` (own keys only); marks it as used. */
  get(key: string): Field {
    const segments = [...this.segments, key];
    if (this.tracked) this.doc.used.add(formatPath(segments));
    const value = isRecord(this.value) && Object.prototype.hasOwnProperty.call(this.value, key) ? this.value[key] : undefined;
    return new Field(this.doc, segments, value, this.tracked);
  }

  /** The list item `index`; marks it as used. */
  item(index: number): Field {
    const segments = [...this.segments, index];
    if (this.tracked) this.doc.used.add(formatPath(segments));
    return new Field(this.doc, segments, Array.isArray(this.value) ? (this.value[index] as unknown) : undefined, this.tracked);
  }

  /** The same field, read without marking anything under it as used. */
  untracked(): Field {
    return new Field(this.doc, this.segments, this.value, false);
  }

  /** Every list item (none when not a list). */
  items(): Field[] {
    return Array.isArray(this.value) ? this.value.map((_, i) => this.item(i)) : [];
  }

  /** Marks this field and everything under it as used. */
  useAll(): void {
    const mark = (value: unknown, segments: PathSegment[]): void => {
      this.doc.used.add(formatPath(segments));
      if (Array.isArray(value)) value.forEach((item, i) => mark(item, [...segments, i]));
      else if (isRecord(value)) for (const [key, child] of Object.entries(value)) mark(child, [...segments, key]);
    };
    mark(this.value, this.segments);
  }

  /** Written, and not `null` / `~`. */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  get isMap(): boolean {
    return isRecord(this.value);
  }

  get isList(): boolean {
    return Array.isArray(this.value);
  }

  get text(): string | undefined {
    return typeof this.value === 'string' ? this.value : undefined;
  }

  /** Own keys of a mapping (none otherwise). */
  keys(): string[] {
    return isRecord(this.value) ? Object.keys(this.value) : [];
  }

  get path(): string {
    return joinPath(this.doc.path, formatPath(this.segments));
  }

  get location(): Location {
    return { file: this.doc.file, path: this.path };
  }

  /** `, not a list` for a message saying what was expected; nothing when the field is not written at all. */
  got(before = ', not ', after = ''): string {
    return this.value === undefined ? '' : `${before}${this.describe()}${after}`;
  }

  /** `a string`, `a list`… for messages (never the value itself: it may be a secret). */
  describe(): string {
    return describeValue(this.value);
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** A number, or a string holding one (`"0.99"`), else `undefined`. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function trackDocument(doc: Location & { value: Record<string, unknown> }): TrackedDocument {
  const metadata = doc.value.metadata;
  const name = isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
  const kind = typeof doc.value.kind === 'string' ? doc.value.kind : '';
  return { file: doc.file, path: doc.path, value: doc.value, kind, name, used: new Set() };
}
