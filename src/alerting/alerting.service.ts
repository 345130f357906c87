import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import type { AppConfig, SloConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { alertKey, dedupKey, definedFacts, type AlertState } from './domain/alert-state';
import type { NotificationIntent } from './domain/notification-plan';
import { sloAlertStep } from './domain/alert-step';
import type { SilenceScope } from './domain/silence-match';
import type { EvaluatedCycle } from '../slo/evaluation.service';
import { EVALUATION_REPOSITORY, EvaluationRepository, SloEvaluationRecord } from '../slo/ports/evaluation.repository';
import { DELIVERY_TRIGGER, DeliveryTrigger } from '../notifiers/ports/delivery-trigger';
import { SilenceService } from './silences/silence.service';
import { ALERT_STATE_REPOSITORY, AlertSloInfo, AlertStateRepository, SloAlertChange, StoredSloAlerts } from './ports/alert-state.repository';
import { aboutOf, deliveryOf, incidentUrl, notificationMessage, removedSloResolve } from './alert-message';
import { OPEN_INCIDENTS, OpenIncidentsReader } from './ports/open-incidents';
import { firingPageFacts, incidentOf, OpenIncidents, OpenIncidentsLookup } from './page-incidents';
import type { IncidentLink } from '../notifiers/ports/notification-message';

export interface AlertStepReport extends Record<string, unknown> {
  transitions: number;
  notifications: number;
  /** changes another replica had already made (compare-and-set lost) */
  conflicts: number;
  /** SLOs no longer in the config whose alerts were resolved in this step (present when any) */
  removedResolved?: number;
  /** SLOs no longer in the config with firing alerts, left alone while a replica still evaluates them (present when any) */
  removedWaiting?: number;
}

/** An SLO the alerting step could not run for, and why (the message names the key of a malformed value). */
export interface SloAlertFailure {
  slo: string;
  error: string;
}

/** At most this many failing SLOs are named in the step's error (the count is always given). */
const FAILURES_NAMED = 10;

/**
 * The alerting step ran, but not for every SLO (SPEC §12): every other SLO's changes were
 * committed (`report`), and the step counts as failed — so the cycle reports it, and the heartbeat,
 * which requires it, is not sent while any SLO cannot be alerted.
 */
export class AlertStepIncompleteError extends Error {
  constructor(
    readonly report: AlertStepReport,
    readonly failures: readonly SloAlertFailure[],
  ) {
    const named = failures.slice(0, FAILURES_NAMED).map((f) => `${f.slo}: ${f.error}`);
    if (failures.length > FAILURES_NAMED) named.push(`and ${failures.length - FAILURES_NAMED} more`);
    super(
      `alerting could not run for ${failures.length} SLO${failures.length === 1 ? '' : 's'} (${named.join('; ')}); ` +
        `every other SLO was alerted: ${report.transitions} transitions, ${report.notifications} notifications recorded`,
    );
    this.name = 'AlertStepIncompleteError';
  }
}

/**
 * An SLO no longer in this replica's config is taken as removed (its alerts resolved) only once no
 * replica has attempted to evaluate it for this many evaluation intervals — the staleness rule of
 * zones: while a replica that still has it in its config runs (a rollout), that replica keeps
 * evaluating it, and this one may simply not know it yet.
 */
export const REMOVED_AFTER_INTERVALS = 3;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The alerting step of every evaluation cycle (SPEC §4, §6): from each SLO's fresh record, its
 * alerts' next states and who is told (`sloAlertStep`, pure), then one compare-and-set commit of
 * states and outbox deliveries together — so of several replicas evaluating the same transition one
 * records it — and a nudge to delivery.
 *
 * An SLO whose stored alert state cannot be read fails alone: the others are alerted and committed,
 * then the step throws `AlertStepIncompleteError` naming it (SPEC §12).
 *
 * Alerts of SLOs the config no longer has are resolved, to every receiver told, with the normal
 * delivery (SPEC §2): at once when a reload removed them (their last config is at hand); otherwise
 * — the SLO left the config while the service was down, or another replica's config still has it —
 * in the first step where no replica has evaluated the SLO for {@link REMOVED_AFTER_INTERVALS}
 * intervals, from what is stored with their states. Until then `GET /v1/alerts` lists them as removed.
 *
 * A page's notifications name its incident (SPEC §13): the service's open incident as
 * `OPEN_INCIDENTS` answers at the step's start (none when the incidents room is absent), else the
 * one the page opens, `incidentIdOf(service, now)`; the id is kept in the page's state, with the
 * budget remaining at that evaluation, so that its repeats and resolve name the same incident and
 * the resolve can say what the page cost.
 */
@Injectable()
export class AlertingService implements OnModuleInit {
  private readonly logger = new Logger('Alerting');
  /** SLOs removed by a reload whose alerts still wait to be resolved (retried each cycle) */
  private readonly removed = new Map<string, { slo: SloConfig; config: AppConfig }>();
  /** SLOs no longer in the config already logged as waiting for their last evaluator to go */
  private readonly waitingLogged = new Set<string>();

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ALERT_STATE_REPOSITORY) private readonly store: AlertStateRepository,
    private readonly silences: SilenceService,
    @Inject(DELIVERY_TRIGGER) private readonly delivery: DeliveryTrigger,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    @Optional() @Inject(OPEN_INCIDENTS) incidents: OpenIncidentsReader | null = null,
  ) {
    this.openIncidentsLookup = new OpenIncidentsLookup(incidents, this.logger);
  }

  private readonly openIncidentsLookup: OpenIncidentsLookup;

  onModuleInit(): void {
    this.config.onReplace(async (next, previous) => {
      const kept = new Set(next.slos.map((slo) => slo.id));
      for (const slo of previous.slos) if (!kept.has(slo.id)) this.removed.set(slo.id, { slo, config: previous });
      for (const id of kept) this.removed.delete(id);
      if (this.removed.size === 0) return;
      const nowMs = this.clock.now();
      try {
        const failures: SloAlertFailure[] = [];
        const [stored, open] = await Promise.all([this.store.loadAll(), this.openIncidentsLookup.read()]);
        const changes = this.reloadRemovedChanges(stored, nowMs, failures, open);
        await this.commitRemoved(changes, nowMs);
        for (const failure of failures) this.logger.error({ slo: failure.slo, err: failure.error }, 'cannot resolve the alerts of a removed SLO');
      } catch (error: unknown) {
        this.logger.warn({ err: messageOf(error) }, 'could not resolve alerts of removed SLOs yet; retrying each cycle');
      }
    });
  }

  /**
   * The cycle's alerting step. Rejects when the alert states cannot be read or committed at all;
   * with `AlertStepIncompleteError` when some SLOs could not be alerted (the others were).
   */
  async afterEvaluation(cycle: EvaluatedCycle): Promise<AlertStepReport> {
    const { nowMs } = cycle;
    const config = this.config.current;
    const [stored, silences, open] = await Promise.all([this.store.loadAll(), this.silences.activeSilences(nowMs), this.openIncidentsLookup.read()]);
    const bySlo = new Map(stored.map((s) => [s.slo, s]));
    const failures: SloAlertFailure[] = [];
    const changes: SloAlertChange[] = [];
    let transitions = 0;
    cycle.slos.forEach((slo, i) => {
      // A reload during the cycle may have removed the SLO: its alerts are resolved by the reload.
      if (this.config.slo(slo.id) === undefined) return;
      try {
        const planned = this.sloChange(slo, cycle.records[i], bySlo.get(slo.id) ?? null, silences, config, nowMs, open);
        if (!planned) return;
        transitions += planned.transitions;
        changes.push(planned.change);
      } catch (error) {
        failures.push({ slo: slo.id, error: messageOf(error) });
      }
    });
    const report = await this.commit(changes, nowMs);
    report.transitions = transitions;

    const removedChanges = [...this.reloadRemovedChanges(stored, nowMs, failures, open), ...(await this.orphanChanges(stored, nowMs, failures, report, open))];
    const resolved = await this.commitRemoved(removedChanges, nowMs);
    report.notifications += resolved.notifications;
    report.conflicts += resolved.conflicts;
    if (resolved.slos > 0) report.removedResolved = resolved.slos;

    if (failures.length > 0) throw new AlertStepIncompleteError(report, failures);
    return report;
  }

  /** One configured SLO's change after its evaluation; null when nothing changes. Throws when its stored state is unreadable. */
  private sloChange(
    slo: SloConfig,
    record: SloEvaluationRecord,
    stored: StoredSloAlerts | null,
    silences: readonly SilenceScope[],
    config: AppConfig,
    nowMs: number,
    open: OpenIncidents,
  ): { change: SloAlertChange; transitions: number } | null {
    if (stored?.unreadable !== undefined) throw new Error(stored.unreadable);
    const step = sloAlertStep({
      slo,
      rulesHeld: record.rulesHeld ?? [],
      sourceFailures: record.consecutiveFailures,
      stored: stored?.states ?? null,
      silences,
      config,
      nowMs,
      pageFacts: () => firingPageFacts(slo.service, record, open, nowMs),
    });
    if (!step) {
      // Nothing changes; states stored without (or with outdated) facts of their SLO get them now,
      // so that a resolve after the SLO leaves the config can still say what it was.
      if (!stored || sameAbout(stored.about, slo)) return null;
      return { change: { slo: slo.id, expected: stored.version, states: stored.states, about: aboutOf(slo), deliveries: [] }, transitions: 0 };
    }
    const deliveries = step.intents.map((intent) =>
      deliveryOf(intent, notificationMessage(intent, slo, record, config, nowMs, incidentOf(intent, slo.service, open)), nowMs),
    );
    return { change: { slo: slo.id, expected: stored?.version ?? null, states: step.states, about: aboutOf(slo), deliveries }, transitions: step.transitions };
  }

  private async commit(changes: SloAlertChange[], nowMs: number): Promise<AlertStepReport> {
    const report: AlertStepReport = { transitions: 0, notifications: 0, conflicts: 0 };
    if (changes.length === 0) return report;
    const applied = await this.store.commit(changes, nowMs);
    changes.forEach((change, i) => {
      if (!applied[i]) {
        report.conflicts++;
        return;
      }
      report.notifications += change.deliveries.length;
      for (const d of change.deliveries) {
        this.logger.log({ notification: { receiver: d.receiver, action: d.action, dedupKey: d.message.dedupKey, slo: change.slo } }, 'notification recorded');
      }
    });
    if (report.notifications > 0) this.delivery.kick();
    return report;
  }

  /** Commits the resolves of removed SLOs' alerts; forgets the reload-removed SLOs that are done. */
  private async commitRemoved(changes: SloAlertChange[], nowMs: number): Promise<{ slos: number; notifications: number; conflicts: number }> {
    const out = { slos: 0, notifications: 0, conflicts: 0 };
    if (changes.length > 0) {
      const applied = await this.store.commit(changes, nowMs);
      changes.forEach((change, i) => {
        if (!applied[i]) {
          out.conflicts++;
          return;
        }
        out.slos++;
        out.notifications += change.deliveries.length;
        this.waitingLogged.delete(change.slo);
        this.logger.log(
          { slo: change.slo, resolves: change.deliveries.map((d) => ({ receiver: d.receiver, dedupKey: d.message.dedupKey })) },
          'alerts of a removed SLO resolved',
        );
      });
      if (out.notifications > 0) this.delivery.kick();
    }
    // A reload-removed SLO is done once resolved here, by another replica, or had nothing stored.
    for (const id of changes.map((c) => c.slo)) this.removed.delete(id);
    return out;
  }

  /** The link to a removed SLO's page's incident: the one its state keeps, else its service's open one. */
  private removedIncident(state: { incidentId?: string }, service: string | undefined, open: OpenIncidents): IncidentLink | null {
    const id = state.incidentId ?? (service !== undefined ? open.ids.get(service) : undefined);
    return id === undefined ? null : { id, url: incidentUrl(this.config.current, id) };
  }

  /** Resolves of the alerts of SLOs a reload removed (their last config at hand). */
  private reloadRemovedChanges(stored: readonly StoredSloAlerts[], nowMs: number, failures: SloAlertFailure[], open: OpenIncidents): SloAlertChange[] {
    if (this.removed.size === 0) return [];
    const storedIds = new Set(stored.map((s) => s.slo));
    for (const id of [...this.removed.keys()]) if (!storedIds.has(id)) this.removed.delete(id);
    const changes: SloAlertChange[] = [];
    for (const entry of stored) {
      const gone = this.removed.get(entry.slo);
      if (!gone) continue;
      if (entry.unreadable !== undefined) {
        failures.push({ slo: entry.slo, error: entry.unreadable });
        continue;
      }
      changes.push(removedChange(entry, aboutOf(gone.slo), gone.slo.description, nowMs, (state) => this.removedIncident(state, gone.slo.service, open)));
    }
    return changes;
  }

  /**
   * Resolves of the alerts of SLOs stored but not in the config, not removed by a reload of this
   * replica (SPEC §2: removed while the service was down; §8: or a rollout): only those no replica
   * has attempted to evaluate for {@link REMOVED_AFTER_INTERVALS} intervals. A replica whose config
   * still has the SLO saves its evaluation record every cycle, so this replica — older or newer —
   * never resolves what another still evaluates; once the last such replica is gone, one of the
   * others resolves it (compare-and-set: once however many try).
   */
  private async orphanChanges(
    stored: readonly StoredSloAlerts[],
    nowMs: number,
    failures: SloAlertFailure[],
    report: AlertStepReport,
    open: OpenIncidents,
  ): Promise<SloAlertChange[]> {
    const orphans = stored.filter((entry) => this.config.slo(entry.slo) === undefined && !this.removed.has(entry.slo));
    for (const id of this.waitingLogged) if (!orphans.some((o) => o.slo === id)) this.waitingLogged.delete(id);
    if (orphans.length === 0) return [];
    const records = await this.evaluations.getMany(orphans.map((entry) => entry.slo));
    const liveMs = REMOVED_AFTER_INTERVALS * this.config.current.server.evaluationIntervalMs;
    const changes: SloAlertChange[] = [];
    let waiting = 0;
    orphans.forEach((entry, i) => {
      if (entry.unreadable !== undefined) {
        failures.push({ slo: entry.slo, error: entry.unreadable });
        return;
      }
      const lastAttemptAtMs = records[i]?.lastAttemptAtMs ?? null;
      if (lastAttemptAtMs !== null && nowMs - lastAttemptAtMs < liveMs) {
        waiting++;
        if (!this.waitingLogged.has(entry.slo)) {
          this.waitingLogged.add(entry.slo);
          this.logger.log(
            { slo: entry.slo, lastEvaluationAttempt: new Date(lastAttemptAtMs).toISOString() },
            'alerts of an SLO not in this config: left to the replica that still evaluates it; resolved once none has for 3 intervals',
          );
        }
        return;
      }
      changes.push(removedChange(entry, entry.about ?? null, undefined, nowMs, (state) => this.removedIncident(state, entry.about?.service, open)));
    });
    if (waiting > 0) report.removedWaiting = waiting;
    return changes;
  }
}

/** Resolves, to every receiver told, the firing alerts of a removed SLO, and forgets its state. */
function removedChange(
  entry: StoredSloAlerts,
  about: AlertSloInfo | null,
  description: string | undefined,
  nowMs: number,
  incidentOfPage: (state: AlertState) => IncidentLink | null,
): SloAlertChange {
  const deliveries = [];
  for (const state of entry.states) {
    if (state.state !== 'firing') continue;
    const incident = state.kind === 'burn-rate' && state.severity === 'page' ? incidentOfPage(state) : null;
    for (const receiver of state.notifiedReceivers) {
      const intent: NotificationIntent = {
        key: alertKey(state.slo, state.kind, state.severity),
        dedupKey: dedupKey(state.slo, state.kind, state.severity),
        receiver,
        action: 'resolve',
        slo: state.slo,
        alertKind: state.kind,
        severity: state.severity,
        rule: state.rule,
        since: state.since,
        atMs: nowMs,
        ...definedFacts(state),
      };
      deliveries.push(deliveryOf(intent, removedSloResolve(intent, about, description, nowMs, incident), nowMs));
    }
  }
  return { slo: entry.slo, expected: entry.version, states: [], deliveries };
}

/** Whether what is stored of the SLO is what its config says. */
function sameAbout(a: AlertSloInfo | undefined, slo: SloConfig): boolean {
  return (
    a !== undefined &&
    a.service === slo.service &&
    a.team === (slo.team ?? null) &&
    a.objective === slo.objective &&
    a.window === slo.window &&
    a.runbook === (slo.runbook ?? null)
  );
}
