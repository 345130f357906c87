import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SloConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { EVALUATION_REPOSITORY, EvaluationRepository, SloEvaluationRecord } from './ports/evaluation.repository';
import { CountsRequest, CountsResult, METRICS_SOURCES, MetricsSource } from './ports/metrics-source';
import { CORRECTIONS, CorrectionsReader } from './ports/corrections';
import { correctionsBySlo, type Correction } from './domain/corrections';
import { composeCounts, planCounts, type CountPlan } from './domain/count-plan';
import { errorRatio, type BudgetNumbers, type Counts } from './domain/budget-math';
import { durationMs } from '../common/duration';
import { budgetFromAnswers, countPlanOf, evaluateSlo, sloWindows, SloWindows } from './slo-evaluator';

const NO_CORRECTIONS: readonly Correction[] = [];
/** Instant reads of a remote source without range reads, at most, for one series of past ratios. */
const MAX_INSTANT_READS = 60;

/** What the steps after evaluation (alerting, heartbeat) get: the SLOs and their fresh records. */
export interface EvaluatedCycle {
  nowMs: number;
  slos: readonly SloConfig[];
  records: readonly SloEvaluationRecord[];
}

/**
 * The evaluation of one cycle (SPEC §4): every SLO's window counts from its metrics source, its
 * numbers and rule states at one instant, the latest record per SLO saved. A failed SLO keeps its
 * previous numbers and counts one more consecutive failure. Which sources exist is not known here:
 * each `sli.source` kind is read by the `MetricsSource` of that kind.
 */
@Injectable()
export class EvaluationService {
  private readonly logger = new Logger('Evaluation');
  private windowsCache = new WeakMap<SloConfig, SloWindows>();
  private readonly sources: ReadonlyMap<string, MetricsSource>;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    @Inject(METRICS_SOURCES) sources: readonly MetricsSource[],
    @Inject(CORRECTIONS) private readonly corrections: CorrectionsReader,
  ) {
    this.sources = new Map(sources.map((source) => [source.kind, source]));
  }

  /**
   * Evaluates every configured SLO at `nowMs` and saves the records; rejects only when the records
   * cannot be read or saved (the state store is down). Sources must answer before `deadline` aborts.
   */
  async evaluate(nowMs: number, deadline: AbortSignal): Promise<EvaluatedCycle> {
    const slos = this.config.current.slos;
    const covering = correctionsBySlo(await this.corrections.all(), slos);
    // SLOs with the same windows, calendar and corrections count the same ranges: one plan for them
    const shared = new Map<string, CountPlan>();
    const plans = new Map<string, CountPlan>();
    for (const slo of slos) {
      const corrections = covering.get(slo.id) ?? NO_CORRECTIONS;
      const key = `${this.windowsOf(slo).key}|${corrections.map((c) => c.id).join(',')}`;
      let plan = shared.get(key);
      if (!plan) {
        plan = this.planOf(slo, corrections, nowMs);
        shared.set(key, plan);
      }
      plans.set(slo.id, plan);
    }
    const [previous, counts] = await Promise.all([this.evaluations.getMany(slos.map((slo) => slo.id)), this.countsOf(slos, plans, nowMs, deadline)]);
    const records = slos.map((slo, i) => this.evaluateOne(slo, previous[i], nowMs, plans.get(slo.id)!, counts.get(slo.id)));
    // A cycle abandoned as stalled (SPEC §12) saves nothing: a newer cycle's records may be there already.
    if (deadline.aborted) throw new Error('cycle abandoned at its deadline: its records were not saved');
    await this.evaluations.saveAll(records);
    return { nowMs, slos, records };
  }

  /** The metrics source of an SLO's `sli.source`, if any (the read side's history uses it too). */
  sourceOf(slo: SloConfig): MetricsSource | undefined {
    return this.sources.get(slo.sli.source);
  }

  /** What the SLO's evaluation at `nowMs` counts: its windows, calendar period and corrected parts. */
  planOf(slo: SloConfig, corrections: readonly Correction[], nowMs: number): CountPlan {
    return countPlanOf(slo, this.windowsOf(slo), corrections, nowMs);
  }

  /** The corrections in force (config and API); rejects when the state store cannot be read. */
  correctionsNow(): Promise<Correction[]> {
    return this.corrections.all();
  }

  /** Whether the SLO's source answers past instants from a local view (cheap: the event store). */
  readsLocally(slo: SloConfig): boolean {
    return this.sourceOf(slo)?.countsAt !== undefined;
  }

  /**
   * The SLO's budget numbers as they were at `atMs` (SPEC §4; the corrections in force applied),
   * from its metrics source: what an evaluation at `atMs` would have computed. Rejects when the
   * source cannot answer (by `deadline`) or the corrections cannot be read.
   */
  async budgetAt(slo: SloConfig, atMs: number, deadline: AbortSignal): Promise<BudgetNumbers> {
    const source = this.sourceOrThrow(slo);
    const corrections = correctionsBySlo(await this.corrections.all(), [slo]).get(slo.id) ?? NO_CORRECTIONS;
    const plan = this.planOf(slo, corrections, atMs);
    const request: CountsRequest = { slo, labels: plan.labels, windowsMs: plan.windowsMs, ranges: plan.ranges };
    const raw = source.countsAt ? source.countsAt(request, atMs) : answerOf(await source.counts([request], atMs, deadline), slo);
    return budgetFromAnswers(slo, this.windowsOf(slo), plan, raw, atMs);
  }

  /**
   * The error ratio of the rolling `window` (`5m`) ending at each of `instants` (null: no data).
   * A local source reads each instant, corrections applied. A remote one reads the grid the
   * instants lie on (newest first, evenly spaced) with one range read when it can (corrections are
   * not applied there), else with instant reads, at most {@link MAX_INSTANT_READS} (the older
   * instants answer null). Rejects when the source cannot answer.
   */
  async errorRatiosAt(slo: SloConfig, window: string, instants: readonly number[], deadline: AbortSignal): Promise<Array<number | null>> {
    const source = this.sourceOrThrow(slo);
    const windowMs = durationMs(window);
    const ratio = (counts: Counts | null | undefined): number | null => (counts ? errorRatio(counts.good, counts.total) : null);
    if (source.countsAt) {
      const corrections = correctionsBySlo(await this.corrections.all(), [slo]).get(slo.id) ?? NO_CORRECTIONS;
      return instants.map((atMs) => {
        const plan = planCounts({ slo: { id: slo.id, service: slo.service, window: slo.window }, labels: [window], windowsMs: [windowMs] }, corrections, atMs);
        const raw = source.countsAt!({ slo, labels: plan.labels, windowsMs: plan.windowsMs, ranges: plan.ranges }, atMs);
        return ratio(composeCounts(plan, raw).counts[window]);
      });
    }
    if (instants.length === 0) return [];
    if (source.countsOverRange && instants.length > 1) {
      const stepMs = instants[0] - instants[1];
      const oldest = instants[instants.length - 1];
      const series = await source.countsOverRange(slo, window, { fromMs: oldest, toMs: instants[0], stepMs }, deadline);
      return instants.map((atMs) => ratio(series[Math.round((atMs - oldest) / stepMs)]));
    }
    const out: Array<number | null> = instants.map(() => null);
    for (let i = 0; i < Math.min(instants.length, MAX_INSTANT_READS); i++) {
      const request: CountsRequest = { slo, labels: [window], windowsMs: [windowMs] };
      out[i] = ratio(answerOf(await source.counts([request], instants[i], deadline), slo)[window]);
      if (out[i] === null) break;
    }
    return out;
  }

  private sourceOrThrow(slo: SloConfig): MetricsSource {
    const source = this.sourceOf(slo);
    if (!source) throw new Error(`${slo.sli.source}: no metrics source for ${slo.id}`);
    return source;
  }

  windowsOf(slo: SloConfig): SloWindows {
    let windows = this.windowsCache.get(slo);
    if (!windows) {
      windows = sloWindows(slo);
      this.windowsCache.set(slo, windows);
    }
    return windows;
  }

  /** Every SLO's counts, each source asked once for all of its SLOs, the sources concurrently. */
  private async countsOf(
    slos: readonly SloConfig[],
    plans: ReadonlyMap<string, CountPlan>,
    nowMs: number,
    deadline: AbortSignal,
  ): Promise<Map<string, CountsResult>> {
    const byKind = new Map<string, CountsRequest[]>();
    for (const slo of slos) {
      const plan = plans.get(slo.id)!;
      const requests = byKind.get(slo.sli.source) ?? [];
      requests.push({ slo, labels: plan.labels, windowsMs: plan.windowsMs, ranges: plan.ranges });
      byKind.set(slo.sli.source, requests);
    }
    const out = new Map<string, CountsResult>();
    await Promise.all(
      [...byKind].map(async ([kind, requests]) => {
        const source = this.sources.get(kind);
        const answers = source ? await source.counts(requests, nowMs, deadline) : new Map<string, CountsResult>();
        for (const { slo } of requests) out.set(slo.id, answers.get(slo.id) ?? new Error(`${kind}: no counts for this SLO`));
      }),
    );
    return out;
  }

  private evaluateOne(
    slo: SloConfig,
    previous: SloEvaluationRecord | null,
    nowMs: number,
    plan: CountPlan,
    counts: CountsResult | undefined,
  ): SloEvaluationRecord {
    if (previous?.unreadable !== undefined) {
      // SPEC §12: a malformed stored record fails its SLO (and it alone), with an error naming the
      // key. The record is derived data: this failed one replaces it, and the next cycle evaluates
      // the SLO afresh (burn-rate alerts are carried over meanwhile, as for any failed evaluation).
      this.logger.error({ slo: slo.id, err: previous.unreadable }, 'evaluation record unreadable; replaced');
      return { slo: slo.id, evaluatedAtMs: null, numbers: null, rulesHeld: [], lastAttemptAtMs: nowMs, consecutiveFailures: 1, lastError: previous.unreadable };
    }
    const base: SloEvaluationRecord = previous ?? {
      slo: slo.id,
      evaluatedAtMs: null,
      numbers: null,
      lastAttemptAtMs: null,
      consecutiveFailures: 0,
      lastError: null,
    };
    try {
      if (counts === undefined) throw new Error(`${slo.sli.source}: no counts for this SLO`);
      if (counts instanceof Error) throw counts;
      const { numbers, rulesHeld } = evaluateSlo(slo, this.windowsOf(slo), plan, counts, base.rulesHeld ?? [], nowMs);
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
}

/** The one SLO's answer of a `counts` call; rejects with its error. */
function answerOf(answers: Map<string, CountsResult>, slo: SloConfig): Record<string, Counts> {
  const answer = answers.get(slo.id) ?? new Error(`${slo.sli.source}: no counts for ${slo.id}`);
  if (answer instanceof Error) throw answer;
  return answer;
}
