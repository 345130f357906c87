/**
 * Where alert states and pending notifications live (SPEC §6, §8): in Redis when used, so every
 * replica sees one truth and a restart neither re-pages nor forgets; in memory otherwise.
 *
 * Two guarantees carry "one notification per transition per receiver":
 * - `commit` writes an SLO's new alert states and the notifications they cause in one atomic step,
 *   and only if the states are still those the caller read (compare-and-set on `version`): of two
 *   replicas evaluating the same transition, one commits and the other's plan is dropped;
 * - the deliveries are recorded into the notifiers' outbox (`notifiers/ports/outbox.ts`), whose
 *   lanes keep each alert's notifications in order per receiver.
 *
 * One stored value that cannot be read (SPEC §12, "one malformed value in Redis") never fails the
 * others: `loadAll` answers it as `unreadable`, naming the key, and it is never committed over.
 */
import type { AlertState } from '../domain/alert-state';
import type { Delivery } from '../../notifiers/ports/outbox';

/**
 * What notifications say about an SLO besides its alerts, stored with its states so that the
 * resolve of an SLO that left the config while no replica ran can still say it (SPEC §2).
 */
export interface AlertSloInfo {
  service: string;
  team: string | null;
  objective: number;
  /** the SLO window as written (`30d`) */
  window: string;
  runbook: string | null;
}

/** The alerts of one SLO as stored; an SLO with nothing stored has every alert inactive. */
export interface StoredSloAlerts {
  slo: string;
  /** empty when `unreadable` */
  states: AlertState[];
  /** as committed with the states; absent in states stored before it was kept, and when unreadable */
  about?: AlertSloInfo;
  /** opaque; hand it back to `commit` as `expected` */
  version: string;
  /**
   * The stored value is malformed (not JSON, or not alert states): what is wrong, naming the key.
   * Nobody knows who was told of its alerts, so it must not be committed over: a human repairs it.
   */
  unreadable?: string;
}

export interface SloAlertChange {
  slo: string;
  /** the version read; null when nothing was stored for the SLO */
  expected: string | null;
  /** the SLO's alerts after the change; none firing and none told removes the entry */
  states: AlertState[];
  /** stored with the states (what a later resolve of a removed SLO says) */
  about?: AlertSloInfo;
  deliveries: Delivery[];
}

export interface AlertStateRepository {
  /** every SLO with stored alerts (a malformed one as `unreadable`); rejects only when the store cannot be read at all */
  loadAll(): Promise<StoredSloAlerts[]>;
  /**
   * Applies each change atomically — states and deliveries together — if its SLO's stored version
   * is still `expected`; answers per change whether it was applied.
   */
  commit(changes: readonly SloAlertChange[], nowMs: number): Promise<boolean[]>;
}

export const ALERT_STATE_REPOSITORY = Symbol('ALERT_STATE_REPOSITORY');

/**
 * The stored form of an SLO's alerts; '' when nothing is worth keeping (all inactive). A JSON array
 * of the states (the form every version reads), each carrying `about` when given.
 */
export function serializeStates(states: readonly AlertState[], about?: AlertSloInfo): string {
  if (!states.some((s) => s.state === 'firing' || s.notifiedReceivers.length > 0)) return '';
  return JSON.stringify(about ? states.map((s) => ({ ...s, about })) : states);
}

/**
 * Reads a stored value back (`serializeStates`' form). A malformed one — not JSON, not an array of
 * alert states of `slo` — is answered as `unreadable`, the message naming `where` (the key).
 */
export function parseStoredStates(slo: string, json: string, where: string): StoredSloAlerts {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return unreadable(slo, json, where, error instanceof Error ? error.message : String(error));
  }
  if (!Array.isArray(value)) return unreadable(slo, json, where, 'not a list of alert states');
  const states: AlertState[] = [];
  let about: AlertSloInfo | undefined;
  for (const [i, item] of value.entries()) {
    const problem = alertStateProblem(item, slo);
    if (problem !== null) return unreadable(slo, json, where, `[${i}]: ${problem}`);
    const { about: itemAbout, ...state } = item as AlertState & { about?: unknown };
    if (about === undefined && isAbout(itemAbout)) about = itemAbout;
    states.push(state);
  }
  return about ? { slo, states, about, version: json } : { slo, states, version: json };
}

function unreadable(slo: string, json: string, where: string, why: string): StoredSloAlerts {
  return { slo, states: [], version: json, unreadable: `malformed alert state at ${where}: ${why}` };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableNumber = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string';

/** What is wrong with one stored alert state, or null. */
function alertStateProblem(item: unknown, slo: string): string | null {
  if (!isRecord(item)) return 'not an object';
  if (item.slo !== slo) return `slo is ${JSON.stringify(item.slo)}, not "${slo}"`;
  if (item.kind !== 'burn-rate' && item.kind !== 'source-unavailable') return 'kind is not burn-rate or source-unavailable';
  if (item.severity !== 'page' && item.severity !== 'ticket') return 'severity is not page or ticket';
  if (item.state !== 'firing' && item.state !== 'inactive') return 'state is not firing or inactive';
  if (!isNullableNumber(item.since)) return 'since is not a number or null';
  if (!isNullableString(item.rule)) return 'rule is not a string or null';
  if (!Array.isArray(item.notifiedReceivers) || !item.notifiedReceivers.every((r) => typeof r === 'string')) return 'notifiedReceivers is not a list of names';
  if (!isRecord(item.lastNotifiedAt) || !Object.values(item.lastNotifiedAt).every((v) => typeof v === 'number')) return 'lastNotifiedAt is not a map of times';
  // a page's incident and budget at fire (SPEC §13): absent in states stored before they were kept
  if (item.incidentId !== undefined && typeof item.incidentId !== 'string') return 'incidentId is not a string';
  if (item.remainingAtFire !== undefined && !isNullableNumber(item.remainingAtFire)) return 'remainingAtFire is not a number or null';
  return null;
}

function isAbout(v: unknown): v is AlertSloInfo {
  return (
    isRecord(v) &&
    typeof v.service === 'string' &&
    isNullableString(v.team) &&
    typeof v.objective === 'number' &&
    typeof v.window === 'string' &&
    isNullableString(v.runbook)
  );
}
