/**
 * SPEC §7 error-budget policy of the deploy gate: state loss > override > freeze > per-SLO matrix. Pure functions,
 * no framework imports; the caller reads state, filters freezes/overrides with {@link freezeCovers}
 * and {@link overrideActive}, and writes the outcome to the audit log.
 */
import { formatBudgetPercent, formatThresholdPercent } from '../../common/format-percent';
import { CHANGE_TYPES, isFreezeExempt, matrixCell, zoneDecision, type ChangeType } from './gate-matrix';
import { serviceZone, type Zone, type ZoneThresholds } from '../../slo/domain/zones';

export interface GateSloInput {
  slo: string;
  zone: Zone;
  remaining: number | null;
}

export interface ActiveFreeze {
  id: string;
  /** a service name or '*' (every service) */
  service: string;
  start: string;
  end: string;
  reason: string;
}

export interface ActiveOverride {
  id: string;
  service: string;
  reason: string;
  expiresAt: string;
  approvedBy: string;
}

/** An overdue postmortem of the service (SPEC §7, §13), for the gate rule of `policy.postmortems.gate`. */
export interface OverduePostmortem {
  incidentId: string;
  /** ISO-8601: when it was due */
  dueAt: string;
}

/** What an overdue postmortem denies with `policy.postmortems.gate: true` (fix, rollback and security pass). */
export const POSTMORTEM_GATED_CHANGE_TYPES: readonly ChangeType[] = ['feature', 'db-migration', 'infra'];

export interface GateInput {
  service: string;
  changeType: ChangeType;
  /** every SLO of the service (non-empty; the caller 404s unknown services) */
  slos: readonly GateSloInput[];
  /** freezes active now that cover the service (caller filters by time and service) */
  freezes: ActiveFreeze[];
  /** overrides of the service active now */
  overrides: ActiveOverride[];
  onUnknown: 'allow' | 'deny';
  /** `policy.zones`, for the wording of reasons */
  thresholds: ZoneThresholds;
  /**
   * A loss of the shared state not yet accepted (SPEC §12), in words: every change but rollback and
   * security is denied, whatever the (possibly vanished) overrides, freezes and budgets say.
   */
  stateLoss?: string | null;
  /**
   * The service's overdue postmortems, when `policy.postmortems.gate` is on (absent or empty: the
   * rule does not apply): they deny feature, db-migration and infra changes, naming each incident.
   */
  overduePostmortems?: readonly OverduePostmortem[];
}

export interface GateSloOutcome {
  slo: string;
  zone: Zone;
  remaining: number | null;
  /** what this SLO's matrix row says alone (freezes and overrides not applied) */
  decision: 'allow' | 'deny';
}

export interface GateOutcome {
  decision: 'allow' | 'deny';
  /** the service's zone: the worst of its SLOs' zones */
  zone: Zone;
  /** never empty; names each SLO, freeze or override that decided */
  reasons: string[];
  warnings: string[];
  slos: GateSloOutcome[];
}

export const CAUTION_WARNING = 'caution zone: extra review required for risky changes';

/** A freeze covers `service` at `nowMs` when start ≤ now < end and its service is the name or '*'. */
export function freezeCovers(freeze: ActiveFreeze, service: string, nowMs: number): boolean {
  if (freeze.service !== service && freeze.service !== '*') return false;
  return Date.parse(freeze.start) <= nowMs && nowMs < Date.parse(freeze.end);
}

/** An override is active for `service` at `nowMs` when it names the service and expiresAt > now. */
export function overrideActive(override: ActiveOverride, service: string, nowMs: number): boolean {
  return override.service === service && Date.parse(override.expiresAt) > nowMs;
}

export function decideGate(input: GateInput): GateOutcome {
  const { changeType: change, onUnknown } = input;
  const slos: GateSloOutcome[] = input.slos.map((s) => ({
    slo: s.slo,
    zone: s.zone,
    remaining: s.remaining,
    decision: zoneDecision(s.zone, change, onUnknown),
  }));
  const zone = serviceZone(slos.map((s) => s.zone));
  const exempt = isFreezeExempt(change);
  const freezeReasons = input.freezes.map((f) => freezeReason(f, input.service, change));
  const denyingSlos = slos.filter((s) => s.decision === 'deny');
  const noSlos = slos.length === 0 ? noSlosReason(input) : null;
  const overdue = input.overduePostmortems ?? [];
  const postmortemGated = overdue.length > 0 && POSTMORTEM_GATED_CHANGE_TYPES.includes(change);
  const postmortemReasons = overdue.map((p) => postmortemReason(p, change));
  const warnings = slos
    .filter((s) => matrixCell(s.zone, change) === 'allow-with-warning')
    .map((s) => `${CAUTION_WARNING} (${s.slo}: ${remainingText(s.remaining)} of the error budget left)`);

  if (input.stateLoss) {
    return exempt
      ? { decision: 'allow', zone, reasons: [`${input.stateLoss}; ${change} changes still pass`], warnings, slos }
      : { decision: 'deny', zone, reasons: [`${input.stateLoss}; only rollback and security changes pass`], warnings: [], slos };
  }

  if (input.overrides.length > 0) {
    const bypassed = [
      ...(exempt ? [] : input.freezes.map((f) => `freeze ${f.id}`)),
      ...denyingSlos.map((s) => `${s.slo} (${s.zone} zone)`),
      ...(noSlos?.decision === 'deny' ? [`${input.service} (no SLOs)`] : []),
      ...(postmortemGated ? overdue.map((p) => `overdue postmortem of incident ${p.incidentId}`) : []),
    ];
    if (bypassed.length > 0) {
      warnings.push(`override bypasses what would deny this ${change} change: ${bypassed.join(', ')}`);
    }
    return { decision: 'allow', zone, reasons: input.overrides.map(overrideReason), warnings, slos };
  }

  const frozen = input.freezes.length > 0 && !exempt;
  const sloDenies = denyingSlos.length > 0 || noSlos?.decision === 'deny';
  if (frozen || sloDenies || postmortemGated) {
    const reasons = [
      ...(frozen ? freezeReasons : []),
      ...(postmortemGated ? postmortemReasons : []),
      ...denyingSlos.map((s) => sloReason(s, input)),
      ...(noSlos?.decision === 'deny' ? [noSlos.reason] : []),
    ];
    return { decision: 'deny', zone, reasons, warnings: [], slos };
  }

  const reasons = [...freezeReasons, ...postmortemReasons, ...slos.map((s) => sloReason(s, input)), ...(noSlos ? [noSlos.reason] : [])];
  return { decision: 'allow', zone, reasons, warnings, slos };
}

function remainingText(remaining: number | null): string {
  return remaining === null ? 'n/a' : formatBudgetPercent(remaining);
}

function overrideReason(o: ActiveOverride): string {
  return `override ${o.id} approved by ${o.approvedBy} allows every change until ${o.expiresAt}: ${o.reason}`;
}

function freezeReason(f: ActiveFreeze, service: string, change: ChangeType): string {
  const scope = f.service === '*' ? `all services (${service} included)` : f.service;
  const head = `freeze ${f.id} (${f.reason}) covers ${scope} until ${f.end}`;
  return isFreezeExempt(change)
    ? `${head}; ${change} changes are exempt from freezes`
    : `${head}; only rollback and security changes may ship`;
}

function postmortemReason(p: OverduePostmortem, change: ChangeType): string {
  const head = `the postmortem of incident ${p.incidentId} is overdue (due ${p.dueAt}; policy.postmortems.gate)`;
  return POSTMORTEM_GATED_CHANGE_TYPES.includes(change)
    ? `${head}; only fix, rollback and security changes may ship until it is written`
    : `${head}; ${change} changes still pass`;
}

/** "<slo>: <budget state>[; <why this change is allowed or blocked>]" */
function sloReason(s: GateSloOutcome, input: GateInput): string {
  const change = input.changeType;
  const cell = matrixCell(s.zone, change);
  const state =
    s.zone === 'unknown'
      ? `zone unknown (${s.remaining === null ? 'never evaluated successfully' : 'no successful evaluation recently, or no data in its window'})`
      : s.zone === 'exhausted'
        ? `error budget exhausted (${remainingText(s.remaining)} left)`
        : `${remainingText(s.remaining)} of the error budget left (${s.zone} zone)`;
  if (cell === 'on-unknown') return `${s.slo}: ${state}; policy.onUnknown is ${input.onUnknown}`;
  if (cell === 'deny') return `${s.slo}: ${state}; ${blockedText(s.zone, change, input.thresholds)}`;
  if (s.zone === 'normal' || s.zone === 'caution') return `${s.slo}: ${state}`;
  return `${s.slo}: ${state}; ${change} changes are still allowed`;
}

/** Why a known zone blocks `change`, and the budget it needs to ship (read from the matrix). */
function blockedText(zone: Zone, change: ChangeType, t: ZoneThresholds): string {
  if (zone === 'exhausted') {
    const allowed = CHANGE_TYPES.filter((c) => matrixCell('exhausted', c) !== 'deny');
    return `only ${allowed.join(' and ')} changes may ship`;
  }
  const target =
    matrixCell('caution', change) !== 'deny'
      ? `recovers to at least ${formatThresholdPercent(t.freeze)}`
      : `recovers above ${formatThresholdPercent(t.caution)}`;
  return `${change} changes are blocked until it ${target}`;
}

/** A service without SLOs (the caller normally 404s it) is treated as one `unknown` row. */
function noSlosReason(input: GateInput): { decision: 'allow' | 'deny'; reason: string } {
  const decision = zoneDecision('unknown', input.changeType, input.onUnknown);
  const cell = matrixCell('unknown', input.changeType);
  const why = cell === 'on-unknown' ? `policy.onUnknown is ${input.onUnknown}` : `${input.changeType} changes are still allowed`;
  return { decision, reason: `${input.service}: no SLOs, zone unknown; ${why}` };
}
