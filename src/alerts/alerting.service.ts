import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AppConfig, SloConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { alertKey, dedupKey, nextAlertStates, type AlertKey, type AlertState } from '../notifiers/domain/alert-state';
import { planNotifications, type NotificationIntent } from '../notifiers/domain/notification-plan';
import { DeliveryWorker } from '../notifiers/delivery.worker';
import { firingRulesOf, ruleKey } from '../slo/domain/rule-evaluation';
import { EvaluatedCycle, EvaluationService } from '../slo/evaluation.service';
import type { SloEvaluationRecord } from '../slo/evaluation-record';
import { SilenceService } from './silences/silence.service';
import { silenceCovers } from './domain/silence-match';
import type { Silence } from '../policies/policy-state';
import { ALERT_STATE_REPOSITORY, AlertStateRepository, SloAlertChange, StoredSloAlerts } from './alert-store';
import { deliveryOf, notificationMessage } from './alert-message';

export interface AlertStepReport extends Record<string, unknown> {
  transitions: number;
  notifications: number;
  /** changes another replica had already made (compare-and-set lost) */
  conflicts: number;
}

/**
 * The alerting step of every evaluation cycle (SPEC §4, §6): from each SLO's fresh record, its
 * alerts' next states (`nextAlertStates`), who is told (`planNotifications`: routes, silences,
 * inhibition, repeats, resolves to told receivers), then one compare-and-set commit of states and
 * notifications together — so of several replicas evaluating the same transition one records it —
 * and a nudge to the delivery worker. Alerts of SLOs removed by a reload are resolved.
 */
@Injectable()
export class AlertingService implements OnModuleInit {
  private readonly logger = new Logger('Alerting');
  /** SLOs removed by a reload whose alerts still wait to be resolved (retried each cycle) */
  private readonly removed = new Map<string, { slo: SloConfig; config: AppConfig }>();

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ALERT_STATE_REPOSITORY) private readonly store: AlertStateRepository,
    private readonly silences: SilenceService,
    private readonly evaluation: EvaluationService,
    private readonly delivery: DeliveryWorker,
  ) {}

  onModuleInit(): void {
    this.evaluation.addStep({ name: 'alerts', run: (cycle) => this.afterEvaluation(cycle) });
    this.config.onReplace(async (next, previous) => {
      const kept = new Set(next.slos.map((slo) => slo.id));
      for (const slo of previous.slos) if (!kept.has(slo.id)) this.removed.set(slo.id, { slo, config: previous });
      for (const id of kept) this.removed.delete(id);
      await this.resolveRemoved(this.clock.now()).catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not resolve alerts of removed SLOs yet; retrying each cycle');
      });
    });
  }

  async afterEvaluation(cycle: EvaluatedCycle): Promise<AlertStepReport> {
    const { nowMs } = cycle;
    const config = this.config.current;
    const [stored, silences] = await Promise.all([this.store.loadAll(), this.silences.activeSilences(nowMs)]);
    const bySlo = new Map(stored.map((s) => [s.slo, s]));
    const changes: SloAlertChange[] = [];
    let transitions = 0;
    cycle.slos.forEach((slo, i) => {
      // A reload during the cycle may have removed the SLO: its alerts are resolved by the reload.
      if (this.config.slo(slo.id) === undefined) return;
      const planned = this.planSlo(slo, cycle.records[i], bySlo.get(slo.id) ?? null, silences, config, nowMs);
      if (!planned) return;
      transitions += planned.transitions;
      changes.push(planned.change);
    });
    const report = await this.commit(changes, nowMs);
    report.transitions = transitions;
    if (this.removed.size > 0) await this.resolveRemoved(nowMs);
    return report;
  }

  /** One SLO's step; null when nothing changes (the common case: nothing stored, nothing fires). */
  private planSlo(
    slo: SloConfig,
    record: SloEvaluationRecord,
    stored: StoredSloAlerts | null,
    silences: readonly Silence[],
    config: AppConfig,
    nowMs: number,
  ): { change: SloAlertChange; transitions: number } | null {
    const held = new Set(record.rulesHeld ?? []);
    const firingRules = firingRulesOf(held.size === 0 ? [] : slo.alerting.rules.filter((rule) => held.has(ruleKey(rule))));
    const fires = { page: firingRules.page !== null, ticket: firingRules.ticket !== null };
    const sourceFailures = record.consecutiveFailures;
    if (!stored && !fires.page && !fires.ticket && sourceFailures < 3) return null;

    const previous = new Map<AlertKey, AlertState>();
    for (const state of stored?.states ?? []) previous.set(alertKey(state.slo, state.kind, state.severity), state);
    const step = nextAlertStates(previous, {
      slo: slo.id,
      firing: fires,
      firingRules: { page: firingRules.page && ruleKey(firingRules.page), ticket: firingRules.ticket && ruleKey(firingRules.ticket) },
      sourceFailures,
      nowMs,
    });
    const covered = silences.some((s) => silenceCovers(s, { slo: slo.id, service: slo.service }, nowMs));
    const silenced = new Set<AlertKey>(covered ? step.states.map((s) => alertKey(s.slo, s.kind, s.severity)) : []);
    const plan = planNotifications({
      slo,
      states: step.states,
      transitions: step.transitions,
      routes: config.routes,
      notifiers: config.notifiers,
      silenced,
      nowMs,
    });
    if (plan.intents.length === 0 && step.transitions.length === 0 && !rulesChanged(stored, plan.states)) return null;
    const deliveries = plan.intents.map((intent) => deliveryOf(intent, notificationMessage(intent, slo, record, config, nowMs), nowMs));
    return { change: { slo: slo.id, expected: stored?.version ?? null, states: plan.states, deliveries }, transitions: step.transitions.length };
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
        this.logger.log({ notification: { receiver: d.receiver, action: d.action, dedupKey: d.message.dedupKey, slo: d.message.slo } }, 'notification recorded');
      }
    });
    if (report.notifications > 0) this.delivery.kick();
    return report;
  }

  /** Resolves, to every told receiver, the alerts of SLOs a reload removed; forgets their state. */
  private async resolveRemoved(nowMs: number): Promise<void> {
    if (this.removed.size === 0) return;
    const stored = await this.store.loadAll();
    const changes: SloAlertChange[] = [];
    for (const entry of stored) {
      const gone = this.removed.get(entry.slo);
      if (!gone) continue;
      const intents: NotificationIntent[] = [];
      for (const state of entry.states) {
        if (state.state !== 'firing') continue;
        const key = alertKey(state.slo, state.kind, state.severity);
        for (const receiver of state.notifiedReceivers) {
          intents.push({
            key,
            dedupKey: dedupKey(state.slo, state.kind, state.severity),
            receiver,
            action: 'resolve',
            slo: state.slo,
            alertKind: state.kind,
            severity: state.severity,
            rule: state.rule,
            since: state.since,
            atMs: nowMs,
          });
        }
      }
      const deliveries = intents.map((intent) => deliveryOf(intent, notificationMessage(intent, gone.slo, null, gone.config, nowMs), nowMs));
      changes.push({ slo: entry.slo, expected: entry.version, states: [], deliveries });
    }
    await this.commit(changes, nowMs);
    const storedIds = new Set(stored.map((s) => s.slo));
    for (const id of [...this.removed.keys()]) if (!storedIds.has(id) || changes.some((c) => c.slo === id)) this.removed.delete(id);
  }
}

/**
 * Without transitions or notifications, states change only when a firing alert is now fired by
 * another rule (cheaper than comparing serialised states every cycle for every firing SLO).
 */
function rulesChanged(stored: StoredSloAlerts | null, next: readonly AlertState[]): boolean {
  if (!stored) return next.some((s) => s.state === 'firing');
  return next.some((s, i) => s.rule !== stored.states[i]?.rule);
}
