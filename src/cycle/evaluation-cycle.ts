import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { ConfigHolder } from '../config/config-holder';
import { Inject } from '@nestjs/common';
import { CLOCK, Clock } from '../common/clock';
import { EvaluatedCycle, EvaluationService } from '../slo/evaluation.service';
import { AlertingService } from '../alerting/alerting.service';
import { IncidentsService } from '../incidents/incidents.service';
import { HeartbeatService } from '../notifiers/delivery/heartbeat.service';
import { formatDuration } from '../common/duration';
import { MIN_STALL_DEADLINE_MS, stallDeadlineMs } from '../common/duration-limits';
import { safeTimeout } from '../common/safe-timer';
import { CYCLE_STEPS, CycleStepRunners, runCycleSteps } from './cycle-steps';
import { Readiness } from './readiness';
import { STATE_INTEGRITY, StateIntegrity, type StateLoss } from '../common/state-integrity';

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
  /** SPEC §12: still running at the stall deadline, so abandoned (none of its later steps runs) */
  stalled?: true;
  /** what failed in this cycle (`slo_engine_cycle_failures_total{step}`): `evaluate`, a step's name, or `stalled` */
  failures: string[];
  /** the cycle completed and its alerting step succeeded (`slo_engine_last_successful_cycle_timestamp_seconds`) */
  alerted: boolean;
}

/** What a cycle's work produced, whether or not the cycle waited for it. */
type CycleOutcome = Pick<CycleSummary, 'slos' | 'succeeded' | 'failed' | 'error' | 'steps' | 'failures' | 'alerted'>;

/**
 * One evaluation cycle (SPEC §4, §6, §13): evaluate every SLO, then the declared steps in order
 * (`CYCLE_STEPS`: alerting, incidents, then the heartbeat, which runs only when alerting succeeded). A cycle
 * already running is not doubled. Every finished cycle is logged and told to the summary listeners
 * (metrics).
 *
 * SPEC §12: a cycle still running at the stall deadline, `max(2 × EVALUATION_INTERVAL, 60 s)`, is
 * abandoned: logged as stalled, told to the listeners as such, and the next `runCycle` runs a new
 * cycle instead of waiting for it. Its sources are told to give up (the deadline they were given),
 * and whatever of it finishes late runs no further step: no alerting, no heartbeat.
 */
@Injectable()
export class EvaluationCycle {
  private readonly logger = new Logger('EvaluationCycle');
  private running: Promise<CycleSummary> | null = null;
  private readonly summaryListeners: Array<(summary: CycleSummary) => void> = [];
  private readonly runners: CycleStepRunners<EvaluatedCycle>;
  /** the shared state's loss not yet accepted, as of this cycle's check (SPEC §12) */
  private stateLoss: StateLoss | null = null;
  /**
   * The shortest stall deadline: SPEC §12's 60 s. Tests set it lower so that a stall is seen in
   * seconds with a short `EVALUATION_INTERVAL` (the deadline stays `max(2 × interval, this)`);
   * nothing else changes it.
   */
  stallMinimumMs = MIN_STALL_DEADLINE_MS;
  /**
   * The latest instant a cycle of this process ran at. A clock stepped back (SPEC §12, up to 5
   * minutes) does not make a cycle evaluate the past again: windows ending minutes ago would see
   * the traffic from before an onset, resolve a firing page and trigger it again a cycle later.
   */
  private latestCycleAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly evaluation: EvaluationService,
    private readonly readiness: Readiness,
    alerting: AlertingService,
    heartbeat: HeartbeatService,
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
    incidents: IncidentsService,
  ) {
    this.runners = {
      alerts: (cycle) => alerting.afterEvaluation(cycle),
      incidents: (cycle) => incidents.step(cycle),
      // SPEC §12: no heartbeat while a state loss is unacknowledged (pages may be missing)
      heartbeat: (cycle) => (this.stateLoss ? Promise.resolve({ sent: false, reason: 'state loss not accepted' }) : heartbeat.afterCycle(cycle.nowMs)),
    };
  }

  /** Runs a cycle at `nowMs` (default: the clock); a cycle already running is not doubled. */
  async runCycle(requestedMs: number = this.clock.now()): Promise<CycleSummary> {
    if (this.running) {
      const summary = await this.running;
      return { ...summary, skipped: 'already-running' };
    }
    // never before a cycle already run: a clock stepped back evaluates at the latest instant seen
    const nowMs = Math.max(requestedMs, this.latestCycleAtMs);
    this.latestCycleAtMs = nowMs;
    // Settles by the stall deadline at the latest: a stalled cycle never holds the next one.
    const run = this.cycle(nowMs);
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = null;
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
    const cycleId = randomUUID();
    const deadlineMs = stallDeadlineMs(this.config.current.server.evaluationIntervalMs, this.stallMinimumMs);
    // Aborted at the stall deadline: the sources' deadline, and the mark that no later step may run.
    const abandoned = new AbortController();
    let stalled = (): void => undefined;
    const stall = new Promise<'stalled'>((resolve) => (stalled = () => resolve('stalled')));
    const timer = safeTimeout(() => {
      abandoned.abort(new Error('not answered within the cycle deadline'));
      stalled();
    }, deadlineMs);
    const work = this.work(nowMs, abandoned.signal);
    const outcome = await Promise.race([work, stall]);
    timer.clear();
    const summary: CycleSummary = {
      cycleId,
      at: new Date(nowMs).toISOString(),
      ...(outcome === 'stalled'
        ? {
            slos: this.config.current.slos.length,
            succeeded: 0,
            failed: this.config.current.slos.length,
            error: `stalled: still running after ${formatDuration(deadlineMs)}, abandoned`,
            stalled: true as const,
            failures: ['stalled'],
            alerted: false,
          }
        : outcome),
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    };
    if (outcome === 'stalled') {
      void work.then((late) =>
        this.logger.warn(
          { cycleId, at: summary.at, durationMs: Math.round(performance.now() - started), error: late.error },
          'abandoned evaluation cycle finished late; none of its later steps ran',
        ),
      );
    }
    for (const listener of this.summaryListeners) listener(summary);
    if (summary.stalled) this.logger.error({ cycle: summary }, 'evaluation cycle stalled; abandoned');
    else if (summary.error) this.logger.error({ cycle: summary }, 'evaluation cycle failed');
    else this.logger.log({ cycle: summary }, 'evaluation cycle');
    return summary;
  }

  /** The cycle's work: evaluation, then the steps unless the cycle was abandoned meanwhile. Never rejects. */
  private async work(nowMs: number, abandoned: AbortSignal): Promise<CycleOutcome> {
    const slos = this.config.current.slos;
    const out: CycleOutcome = { slos: slos.length, succeeded: 0, failed: 0, failures: [], alerted: false };
    try {
      // A loss of the shared state is seen within one cycle (and recorded for every replica).
      this.stateLoss = await this.integrity.check(nowMs);
      const evaluated = await this.evaluation.evaluate(nowMs, abandoned);
      out.slos = evaluated.slos.length;
      for (const record of evaluated.records) {
        if (record.consecutiveFailures === 0) out.succeeded++;
        else out.failed++;
      }
      if (!abandoned.aborted) this.readiness.firstCycleCompletedAt ??= nowMs;
      const outcomes = await runCycleSteps(evaluated, this.runners, CYCLE_STEPS, abandoned);
      out.steps = this.report(outcomes);
      for (const [name, outcome] of outcomes) if (!outcome.ok && outcome.error !== undefined) out.failures.push(name);
      out.alerted = outcomes.get('alerts')?.ok === true;
    } catch (error) {
      out.error = error instanceof Error ? error.message : String(error);
      out.failed = out.slos;
      out.succeeded = 0;
      out.failures.push('evaluate');
    }
    return out;
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
