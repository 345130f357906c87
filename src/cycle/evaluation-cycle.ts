import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigHolder } from '../config/config-holder';
import { Inject } from '@nestjs/common';
import { CLOCK, Clock } from '../common/clock';
import { EvaluatedCycle, EvaluationService } from '../slo/evaluation.service';
import { AlertingService } from '../alerting/alerting.service';
import { HeartbeatService } from '../notifiers/delivery/heartbeat.service';
import { CycleStepRunners, runCycleSteps } from './cycle-steps';
import { Readiness } from './readiness';

export interface CycleSummary {
  cycleId: string;
  at: string;
  slos: number;
  succeeded: number;
  failed: number;
  durationMs: number;
  skipped?: 'already-running';
  error?: string;
  /** what each step after evaluation reported (e.g. `alerts`), its error, or why it was skipped */
  steps?: Record<string, unknown>;
}

/** Sources must answer within this long of a cycle's start, or at twice the interval when longer (SPEC §12). */
export const MIN_STALL_DEADLINE_MS = 60_000;

/**
 * One evaluation cycle (SPEC §4, §6): evaluate every SLO, then the declared steps in order
 * (`CYCLE_STEPS`: alerting, then the heartbeat, which runs only when alerting succeeded). A cycle
 * already running is not doubled. Every finished cycle is logged and told to the summary listeners
 * (metrics).
 */
@Injectable()
export class EvaluationCycle {
  private readonly logger = new Logger('EvaluationCycle');
  private running: Promise<CycleSummary> | null = null;
  private readonly summaryListeners: Array<(summary: CycleSummary) => void> = [];
  private readonly runners: CycleStepRunners<EvaluatedCycle>;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly evaluation: EvaluationService,
    private readonly readiness: Readiness,
    alerting: AlertingService,
    heartbeat: HeartbeatService,
  ) {
    this.runners = {
      alerts: (cycle) => alerting.afterEvaluation(cycle),
      heartbeat: (cycle) => heartbeat.afterCycle(cycle.nowMs),
    };
  }

  /** Runs a cycle at `nowMs` (default: the clock); a cycle already running is not doubled. */
  async runCycle(nowMs: number = this.clock.now()): Promise<CycleSummary> {
    if (this.running) {
      const summary = await this.running;
      return { ...summary, skipped: 'already-running' };
    }
    this.running = this.cycle(nowMs);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Told of every finished cycle's summary (metrics). */
  onSummary(listener: (summary: CycleSummary) => void): void {
    this.summaryListeners.push(listener);
  }

  /** Waits for a running cycle, if any (graceful shutdown). */
  async idle(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
  }

  private async cycle(nowMs: number): Promise<CycleSummary> {
    const started = performance.now();
    const slos = this.config.current.slos;
    const summary: CycleSummary = {
      cycleId: randomUUID(),
      at: new Date(nowMs).toISOString(),
      slos: slos.length,
      succeeded: 0,
      failed: 0,
      durationMs: 0,
    };
    try {
      const intervalMs = this.config.current.server.evaluationIntervalMs;
      const evaluated = await this.evaluation.evaluate(nowMs, AbortSignal.timeout(Math.max(2 * intervalMs, MIN_STALL_DEADLINE_MS)));
      summary.slos = evaluated.slos.length;
      for (const record of evaluated.records) {
        if (record.consecutiveFailures === 0) summary.succeeded++;
        else summary.failed++;
      }
      this.readiness.firstCycleCompletedAt ??= nowMs;
      summary.steps = this.report(await runCycleSteps(evaluated, this.runners));
    } catch (error) {
      summary.error = error instanceof Error ? error.message : String(error);
      summary.failed = summary.slos;
      summary.succeeded = 0;
    }
    summary.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    for (const listener of this.summaryListeners) listener(summary);
    if (summary.error) this.logger.error({ cycle: summary }, 'evaluation cycle failed');
    else this.logger.log({ cycle: summary }, 'evaluation cycle');
    return summary;
  }

  private report(outcomes: Awaited<ReturnType<typeof runCycleSteps>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, outcome] of outcomes) {
      if (outcome.ok) out[name] = outcome.report;
      else if (outcome.error !== undefined) {
        out[name] = { error: outcome.error };
        this.logger.error({ step: name, err: out[name] }, 'cycle step failed');
      } else out[name] = { skipped: outcome.skipped };
    }
    return out;
  }
}
