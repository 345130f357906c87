/**
 * Where incidents live (SPEC §8, §13): in Redis when used, so that every replica sees one record
 * per incident; in memory otherwise. Two guarantees carry "one record however many replicas run":
 * - `openIfNone` is atomic per service: of several replicas opening an incident of a service at
 *   once, one opens it and the others are answered the service's open incident; an id stored
 *   already (an incident resolved meanwhile) is never opened again;
 * - `update` is a compare-and-set on the version read: of two replicas changing the same
 *   incident, one writes and the other re-reads.
 *
 * Records are kept 400 days after they resolve. One stored value that cannot be read (SPEC §12)
 * fails only itself: it is answered as `unreadable`, naming the key, and never written over.
 */
import { z } from 'zod';
import { ACTION_ITEM_CATEGORIES, type IncidentRecord } from '../domain/incident';

export interface StoredIncident {
  id: string;
  /** from the open-incident index (for an unreadable record, the service it was opened for) */
  service: string | null;
  /** null when `unreadable` */
  incident: IncidentRecord | null;
  /** opaque; hand it back to `update` as `expected` */
  version: string;
  /** what is wrong with the stored value, naming the key */
  unreadable?: string;
}

export interface IncidentQuery {
  service?: string;
  state?: 'open' | 'resolved';
  /** detectedAt at or after */
  fromMs?: number;
  /** detectedAt at or before */
  toMs?: number;
  limit: number;
  /** from a previous page's `next` */
  after?: IncidentCursor | null;
}

/** Where a page of incidents ended: newest first by detectedAt, then id descending. */
export interface IncidentCursor {
  detectedAtMs: number;
  id: string;
}

export interface IncidentPage {
  incidents: IncidentRecord[];
  /** keys of malformed records met on the way (left out) */
  unreadable: string[];
  next: IncidentCursor | null;
}

export interface IncidentRepository {
  /**
   * Opens `incident` (state open) unless its service has an open incident or its id is stored
   * already, atomically. Answers whether it was opened.
   */
  openIfNone(incident: IncidentRecord, nowMs: number): Promise<boolean>;
  /** every open incident (an unreadable one named by its key); rejects when the store cannot be read */
  listOpen(): Promise<StoredIncident[]>;
  get(id: string): Promise<StoredIncident | null>;
  /**
   * Writes `incident` if the stored version is still `expected`; a resolved one stops being its
   * service's open incident and is kept 400 days from its resolve. Answers whether it was written.
   */
  update(incident: IncidentRecord, expected: string, nowMs: number): Promise<boolean>;
  /** newest first (detectedAt, then id), filtered; unreadable records are left out and named */
  list(query: IncidentQuery): Promise<IncidentPage>;
  /** incidents with something to follow up (`followUpPending`): a required postmortem not written, an action item not done */
  listFollowUps(): Promise<StoredIncident[]>;
  /** import (SPEC §5): writes `incident` only if its id is not stored (an open one only if its service has none open) */
  insertIfAbsent(incident: IncidentRecord, nowMs: number): Promise<boolean>;
}

export const INCIDENT_REPOSITORY = Symbol('INCIDENT_REPOSITORY');

const ms = z.number().finite();
const zone = z.enum(['normal', 'caution', 'freeze', 'exhausted', 'unknown']);
const rule = z.object({ severity: z.enum(['page', 'ticket']), burnRate: z.number(), long: z.string(), short: z.string() }).strict();

/** The stored form of an incident (epoch milliseconds), checked whole on every read. */
export const IncidentRecordSchema = z
  .object({
    id: z.string().min(1),
    service: z.string().min(1),
    state: z.enum(['open', 'resolved']),
    startedAtMs: ms.nullable(),
    detectedAtMs: ms,
    resolvedAtMs: ms.nullable(),
    timeToDetect: z.number().nullable(),
    timeToResolve: z.number().nullable(),
    zoneAtOpen: zone,
    zoneNow: zone,
    slos: z.array(z.object({ slo: z.string(), budgetConsumed: z.number().nullable() }).strict()),
    pages: z.array(z.object({ slo: z.string(), rule: rule.nullable(), firedAtMs: ms, resolvedAtMs: ms.nullable() }).strict()).min(1),
    postmortem: z
      .object({
        required: z.boolean(),
        reasons: z.array(z.string()),
        dueAtMs: ms.nullable(),
        url: z.string().nullable(),
        summary: z.string().nullable(),
        actionItems: z.array(
          z.object({ title: z.string(), owner: z.string(), dueAtMs: ms, category: z.enum(ACTION_ITEM_CATEGORIES), done: z.boolean() }).strict(),
        ),
      })
      .strict(),
    timeline: z.array(z.object({ atMs: ms, what: z.string() }).strict()),
  })
  .strict();

/** Reads a stored value back; a malformed one (not JSON, not an incident, another id) is `unreadable`, naming `where`. */
export function parseStoredIncident(id: string, json: string, where: string, service: string | null = null): StoredIncident {
  const bad = (why: string): StoredIncident => ({ id, service, incident: null, version: json, unreadable: `malformed incident at ${where}: ${why}` });
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return bad(error instanceof Error ? error.message : String(error));
  }
  const parsed = IncidentRecordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return bad(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (parsed.data.id !== id) return bad(`id is ${JSON.stringify(parsed.data.id)}, not "${id}"`);
  return { id, service: parsed.data.service, incident: parsed.data, version: json };
}

export function serializeIncident(incident: IncidentRecord): string {
  return JSON.stringify(incident);
}
