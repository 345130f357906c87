import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { SloConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { EVENT_STORE, EventStore } from '../sources/events/event-store';
import { EVALUATION_REPOSITORY, EvaluationRepository, SloEvaluationRecord } from './evaluation-record';
import { evaluateSlo, eventCounts, sloWindows, SloWindows } from './slo-evaluator';
import type { Counts } from './domain/budget-math';
import { PrometheusSource, PrometheusSettings } from '../sources/prometheus/prometheus-source';
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
  /** what each cycle step reported (e.g. `alerts`), or its error */
  steps?: Record<string, unknown>;
}

/** What a step after evaluation (alerting, heartbeat) gets: the SLOs and their fresh records. */
export interface EvaluatedCycle {
  nowMs: number;
  slos: readonly SloConfig[];
  records: readonly SloEvaluationRecord[];
}

/** Runs after the records are saved, inside the cycle; its result goes into the cycle summary. */
export interface CycleStep {
  name: string;
  run(cycle: EvaluatedCycle): Promise<Record<string, unknown> | void>;
}

/**
 * One evaluation cycle: bring the event store's view up to date, compute every SLO's numbers at
 * one instant, keep the latest record per SLO. A failed SLO keeps its previous numbers (SPEC §4).
 */
@Injectable()
export class EvaluationService implements OnApplicationShutdown {
  private readonly logger = new Logger(EvaluationService.name);
  private running: Promise<CycleSummary> | null = null;
  private windowsCache = new WeakMap<SloConfig, SloWindows>();
  private readonly steps: CycleStep[] = [];
  private readonly summaryListeners: Array<(summary: CycleSummary) => void> = [];
  private prometheus: { settings: PrometheusSettings; source: PrometheusSource } | null = null;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    private readonly readiness: Readiness,
  ) {}

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

  /** Adds a step run after every cycle's records are saved, in registration order. */
  addStep(step: CycleStep): void {
    this.steps.push(step);
  }

  /** Told of every finished cycle's summary (metrics). */
  onSummary(listener: (summary: CycleSummary) => void): void {
    this.summaryListeners.push(listener);
  }

  onApplicationShutdown(): void {
    this.prometheus?.source.close();
  }

  /** Waits for a running cycle, if any (graceful shutdown). */
  async idle(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
  }

  private async cycle(nowMs: number): Promise<CycleSummary> {
    const started = performance.now();
    const cycleId = randomUUID();
    const slos = this.config.current.slos;
    const summary: CycleSummary = {
      cycleId,
      at: new Date(nowMs).toISOString(),
      slos: slos.length,
      succeeded: 0,
      failed: 0,
      durationMs: 0,
    };
    try {
      let syncError: string | null = null;
      await this.store.sync().catch((error: unknown) => {
        syncError = `event store unavailable: ${error instanceof Error ? error.message : String(error)}`;
      });
      const [previous, fetched] = await Promise.all([this.evaluations.getMany(slos.map((slo) => slo.id)), this.fetchPrometheus(slos, nowMs)]);
      const records = slos.map((slo, i) => this.evaluateOne(slo, previous[i], nowMs, syncError, fetched.get(slo.id)));
      for (const record of records) {
        if (record.consecutiveFailures === 0) summary.succeeded++;
        else summary.failed++;
      }
      await this.evaluations.saveAll(records);
      this.readiness.firstCycleCompletedAt ??= nowMs;
      if (this.steps.length > 0) summary.steps = await this.runSteps({ nowMs, slos, records });
    } catch (error) {
      summary.error = error instanceof Error ? error.message : String(error);
      summary.failed = slos.length;
      summary.succeeded = 0;
    }
    summary.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    for (const listener of this.summaryListeners) listener(summary);
    if (summary.error) this.logger.error({ cycle: summary }, 'evaluation cycle failed');
    else this.logger.log({ cycle: summary }, 'evaluation cycle');
    return summary;
  }

  /** A failing step is reported in the summary and does not fail the cycle or the next steps. */
  private async runSteps(cycle: EvaluatedCycle): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const step of this.steps) {
      try {
        out[step.name] = (await step.run(cycle)) ?? 'ok';
      } catch (error) {
        out[step.name] = { error: error instanceof Error ? error.message : String(error) };
        this.logger.error({ step: step.name, err: out[step.name] }, 'cycle step failed');
      }
    }
    return out;
  }

  private evaluateOne(
    slo: SloConfig,
    previous: SloEvaluationRecord | null,
    nowMs: number,
    syncError: string | null,
    fetched: Record<string, Counts> | Error | undefined,
  ): SloEvaluationRecord {
    const base: SloEvaluationRecord = previous ?? {
      slo: slo.id,
      evaluatedAtMs: null,
      numbers: null,
      lastAttemptAtMs: null,
      consecutiveFailures: 0,
      lastError: null,
    };
    try {
      const windows = this.windowsOf(slo);
      let counts: Record<string, Counts>;
      if (slo.sli.source === 'events') {
        if (syncError) throw new Error(syncError);
        counts = eventCounts(slo, windows, this.store, nowMs);
      } else {
        if (fetched instanceof Error) throw fetched;
        if (fetched === undefined) throw new Error('prometheus: no source configured');
        counts = fetched;
      }
      const { numbers, rulesHeld } = evaluateSlo(slo, windows, counts, base.rulesHeld ?? [], nowMs);
      return { slo: slo.id, evaluatedAtMs: nowMs, numbers, rulesHeld, lastAttemptAtMs: nowMs, consecutiveFailures: 0, lastError: null };
    } catch (error) {
      return {
        ...base,
        lastAttemptAtMs: nowMs,
        consecutiveFailures: base.consecutiveFailures + 1,
        lastError: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** The window counts of every prometheus SLO, queried concurrently (an Error for an SLO whose queries failed). */
  private async fetchPrometheus(slos: readonly SloConfig[], nowMs: number): Promise<Map<string, Record<string, Counts> | Error>> {
    const out = new Map<string, Record<string, Counts> | Error>();
    const promSlos = slos.filter((slo) => slo.sli.source === 'prometheus');
    const settings = this.config.current.sources.prometheus;
    if (promSlos.length === 0 || !settings) return out;
    if (this.prometheus?.settings !== settings) {
      this.prometheus?.source.close();
      this.prometheus = { settings, source: new PrometheusSource(settings) };
    }
    const { source } = this.prometheus;
    const memo = new Map<string, Promise<number>>(); // one answer per distinct query this cycle
    await Promise.all(
      promSlos.map(async (slo) => {
        try {
          out.set(slo.id, await source.counts(slo, this.windowsOf(slo).readLabels, nowMs, memo));
        } catch (error) {
          out.set(slo.id, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return out;
  }

  private windowsOf(slo: SloConfig): SloWindows {
    let windows = this.windowsCache.get(slo);
    if (!windows) {
      windows = sloWindows(slo);
      this.windowsCache.set(slo, windows);
    }
    return windows;
  }
}
