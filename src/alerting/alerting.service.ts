import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AppConfig, SloConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { alertKey, dedupKey } from './domain/alert-state';
import type { NotificationIntent } from './domain/notification-plan';
import { sloAlertStep } from './domain/alert-step';
import type { EvaluatedCycle } from '../slo/evaluation.service';
import { DELIVERY_TRIGGER, DeliveryTrigger } from '../notifiers/ports/delivery-trigger';
import { SilenceService } from './silences/silence.service';
import { ALERT_STATE_REPOSITORY, AlertStateRepository, SloAlertChange } from './ports/alert-state.repository';
import { deliveryOf, notificationMessage } from './alert-message';

export interface AlertStepReport extends Record<string, unknown> {
  transitions: number;
  notifications: number;
  /** changes another replica had already made (compare-and-set lost) */
  conflicts: number;
}

/**
 * The alerting step of every evaluation cycle (SPEC §4, §6): from each SLO's fresh record, its
 * alerts' next states and who is told (`sloAlertStep`, pure), then one compare-and-set commit of
 * states and outbox deliveries together — so of several replicas evaluating the same transition one
 * records it — and a nudge to delivery. Alerts of SLOs removed by a reload are resolved.
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
    @Inject(DELIVERY_TRIGGER) private readonly delivery: DeliveryTrigger,
  ) {}

  onModuleInit(): void {
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
      const record = cycle.records[i];
      const stored = bySlo.get(slo.id) ?? null;
      const step = sloAlertStep({
        slo,
        rulesHeld: record.rulesHeld ?? [],
        sourceFailures: record.consecutiveFailures,
        stored: stored?.states ?? null,
        silences,
        config,
        nowMs,
      });
      if (!step) return;
      transitions += step.transitions;
      const deliveries = step.intents.map((intent) => deliveryOf(intent, notificationMessage(intent, slo, record, config, nowMs), nowMs));
      changes.push({ slo: slo.id, expected: stored?.version ?? null, states: step.states, deliveries });
    });
    const report = await this.commit(changes, nowMs);
    report.transitions = transitions;
    if (this.removed.size > 0) await this.resolveRemoved(nowMs);
    return report;
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
