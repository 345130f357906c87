import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConfigHolder } from '../config/config-holder';
import { ZONE_SEVERITY_ORDER } from '../slo/domain/zones';
import { EvaluationCycle } from '../cycle/evaluation-cycle';
import { CYCLE_STEPS } from '../cycle/cycle-steps';
import { SloQueryService } from '../slo/slo-query.service';
import { METRICS_REGISTRY } from '../common/metrics-registry';

const SEVERITIES = ['page', 'ticket'] as const;

/**
 * SPEC §9 `/metrics`: the budget of every SLO as gauges, refreshed from the latest evaluations at
 * each scrape (the same budget objects the API serves, zone staleness included), the evaluation
 * duration histogram, the cycle's health (failures by step, stalls included, and the time of the
 * last cycle that alerted), and the counters other modules keep in the same registry
 * (notifications, gate decisions, source query durations), plus the Node.js process defaults.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly remaining: Gauge<'slo' | 'service'>;
  private readonly burnRate: Gauge<'slo' | 'service' | 'window'>;
  private readonly sli: Gauge<'slo' | 'service'>;
  private readonly zone: Gauge<'slo' | 'service' | 'zone'>;
  private readonly alertFiring: Gauge<'slo' | 'service' | 'severity'>;
  private readonly cycleDuration: Histogram;
  private readonly cycleFailures: Counter<'step'>;
  private readonly lastSuccessfulCycle: Gauge;
  private readonly replicaSlos: Gauge;
  private readonly sloEvaluations: Counter;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly config: ConfigHolder,
    private readonly budgets: SloQueryService,
    private readonly evaluation: EvaluationCycle,
  ) {
    const registers = [registry];
    this.remaining = new Gauge({ name: 'slo_error_budget_remaining', help: 'Error budget remaining: 1 untouched, 0 spent, negative overspent', labelNames: ['slo', 'service'], registers });
    this.burnRate = new Gauge({ name: 'slo_burn_rate', help: 'Burn rate over a window (error ratio / allowed error ratio)', labelNames: ['slo', 'service', 'window'], registers });
    this.sli = new Gauge({ name: 'slo_sli', help: 'SLI over the SLO window (good / total)', labelNames: ['slo', 'service'], registers });
    this.zone = new Gauge({ name: 'slo_zone', help: 'Budget zone: 1 for the current zone, 0 for the others', labelNames: ['slo', 'service', 'zone'], registers });
    this.alertFiring = new Gauge({ name: 'slo_alert_firing', help: '1 while an alert of the severity fires (burn-rate or source-unavailable)', labelNames: ['slo', 'service', 'severity'], registers });
    this.cycleDuration = new Histogram({
      name: 'slo_engine_evaluation_duration_seconds',
      help: 'Duration of evaluation cycles',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.cycleFailures = new Counter({
      name: 'slo_engine_cycle_failures_total',
      help: 'Evaluation cycles that failed, by step: evaluate, a later step (alerts, heartbeat), or stalled (abandoned at its deadline)',
      labelNames: ['step'],
      registers,
    });
    // Every step's series exists from the start, so that rate() and increase() see the first failure.
    for (const step of ['evaluate', ...CYCLE_STEPS.map((s) => s.name), 'stalled']) this.cycleFailures.inc({ step }, 0);
    this.lastSuccessfulCycle = new Gauge({
      name: 'slo_engine_last_successful_cycle_timestamp_seconds',
      help: 'Evaluation time (Unix seconds) of the last cycle that completed with its alerting step succeeding; 0 until one has',
      registers,
    });
    // SPEC §8, §9: this replica's own share (every SLO, until the evaluation is shared out) and work
    this.replicaSlos = new Gauge({ name: 'slo_engine_replica_slos', help: 'SLOs this replica evaluates now (its last cycle)', registers });
    this.sloEvaluations = new Counter({ name: 'slo_engine_slo_evaluations_total', help: 'SLO evaluations this replica has run (succeeded or failed)', registers });
  }

  onModuleInit(): void {
    this.evaluation.onSummary((summary) => {
      if (summary.skipped) return;
      this.cycleDuration.observe(summary.durationMs / 1000);
      this.replicaSlos.set(summary.slos);
      this.sloEvaluations.inc(summary.succeeded + summary.failed);
      for (const step of summary.failures) this.cycleFailures.inc({ step });
      if (summary.alerted) this.lastSuccessfulCycle.set(Date.parse(summary.at) / 1000);
    });
  }


  /** The exposition text, with the SLO gauges as of now. */
  async render(): Promise<string> {
    const budgets = await this.budgets.budgets(this.config.current.slos);
    for (const gauge of [this.remaining, this.burnRate, this.sli, this.zone, this.alertFiring]) gauge.reset();
    for (const b of budgets) {
      const labels = { slo: b.slo, service: b.service };
      if (b.budget.remaining !== null) this.remaining.set(labels, b.budget.remaining);
      if (b.sli !== null) this.sli.set(labels, b.sli);
      for (const [window, value] of Object.entries(b.burnRates)) if (value !== null) this.burnRate.set({ ...labels, window }, value);
      for (const zone of ZONE_SEVERITY_ORDER) this.zone.set({ ...labels, zone }, zone === b.zone ? 1 : 0);
      for (const severity of SEVERITIES) this.alertFiring.set({ ...labels, severity }, b.alerts.some((a) => a.severity === severity) ? 1 : 0);
    }
    return this.registry.metrics();
  }
}
