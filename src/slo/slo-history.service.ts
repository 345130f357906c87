import { Inject, Injectable } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { ConfigHolder } from '../config/config-holder';
import type { SloConfig } from '../config/app-config';
import { CLOCK, Clock } from '../common/clock';
import { NotFoundError, StateUnavailableError, ValidationError } from '../common/domain-error';
import { formatDuration } from '../common/duration';
import { STATE_HEALTH, StateHealth } from '../common/state-health';
import { METRICS_SOURCES, MetricsSource } from './ports/metrics-source';
import { CORRECTIONS, CorrectionsReader } from './ports/corrections';
import { correctionsBySlo, type Correction } from './domain/corrections';
import type { Counts } from './domain/budget-math';
import type { CountPlan, CountRange } from './domain/count-plan';
import { budgetFromAnswers, countPlanOf, retentionMs, sloWindows, type SloWindows } from './slo-evaluator';

export const MAX_HISTORY_POINTS = 2000;
/** How long one history (or one burn-down request) may wait for a remote source. */
export const HISTORY_DEADLINE_MS = 10_000;
/** Points computed between two yields to the event loop (a chunk costs well under a millisecond). */
const HISTORY_CHUNK = 250;
/** Points whose explicit ranges (calendar period, corrected parts) are asked of a remote source at once. */
const RANGE_READS_IN_FLIGHT = 8;
/**
 * How far back history can look, in SLO windows (the longest window read): the event store keeps
 * twice the longest window (`computeBucketLayout`: "history and the burn-down chart look back one
 * window"), so the windows of a point up to one window back are whole; an older point's are not.
 */
const HISTORY_LOOKBACK_WINDOWS = 1;
const NO_COUNTS: Counts = { good: 0, total: 0 };

export interface HistoryPoint {
  t: string;
  sli: number | null;
  remaining: number | null;
  burnRates: Record<string, number> | null;
}

export interface SloHistory {
  slo: string;
  points: HistoryPoint[];
}

/** The instants `fromMs, fromMs + stepMs, … ≤ toMs`. */
export interface HistoryGrid {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/**
 * An SLO's numbers as they were at each instant of a grid (SPEC §5 history): at each instant, the
 * numbers an evaluation then would have computed (the budget API's), the corrections in force
 * applied. A source with a local view (the event store) is read point by point; a remote one
 * (Prometheus) with one range read per rolling window over the whole grid, plus instant reads of
 * the ranges that differ from point to point (a calendar period so far, corrected parts), a few at
 * a time, all within {@link HISTORY_DEADLINE_MS}.
 */
@Injectable()
export class SloHistoryService {
  private readonly sources: ReadonlyMap<string, MetricsSource>;
  private windowsCache = new WeakMap<SloConfig, SloWindows>();

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(STATE_HEALTH) private readonly state: StateHealth,
    @Inject(METRICS_SOURCES) sources: readonly MetricsSource[],
    @Inject(CORRECTIONS) private readonly corrections: CorrectionsReader,
  ) {
    this.sources = new Map(sources.map((source) => [source.kind, source]));
  }

  /**
   * `GET /v1/slos/{id}/history`: 404 for an unknown SLO, 400 beyond {@link MAX_HISTORY_POINTS}
   * points (or under 1 s steps for a source read by range), 503 when the state store or the SLO's
   * metrics source does not answer (by the deadline).
   */
  async history(id: string, grid: HistoryGrid): Promise<SloHistory> {
    const slo = this.config.slo(id);
    if (!slo) throw new NotFoundError(`unknown SLO "${id}"`);
    const points = pointCount(grid);
    if (!(points <= MAX_HISTORY_POINTS)) {
      throw new ValidationError(`at most ${MAX_HISTORY_POINTS} points per request`, [
        { path: 'step', message: `from/to/step give ${points} points, more than ${MAX_HISTORY_POINTS}` },
      ]);
    }
    if (this.readsByRange(slo) && grid.stepMs < 1000) {
      throw new ValidationError('step too short', [{ path: 'step', message: `at least 1s for a ${slo.sli.source} SLO (its history comes from range queries)` }]);
    }
    const corrections = await this.readState();
    const deadline = historyDeadline();
    try {
      return { slo: slo.id, points: await this.pointsOf(slo, grid, corrections, deadline) };
    } catch (error) {
      throw sourceUnavailable(slo, error, deadline);
    }
  }

  /**
   * What every history needs first: the state store answering (the points of a local source come
   * from this replica's view of the events; answer only while the store answers) and the
   * corrections in force. Rejects with a 503 error otherwise.
   */
  async readState(): Promise<Correction[]> {
    await this.state.ping().catch(() => {
      throw new StateUnavailableError('state store unavailable: Redis does not answer');
    });
    return this.corrections.all().catch(() => {
      throw new StateUnavailableError('state store unavailable: corrections cannot be read');
    });
  }

  /**
   * The SLO's points over the grid with `corrections` (all of them; those covering the SLO are
   * used). Null points where the numbers cannot be known: a local source's point whose longest
   * window reaches back before what the store keeps (part of a window would look like a full
   * budget); a remote source's point where it has no sample of any of the point's rolling windows
   * (nor, for a calendar SLO, anything counted in its period or the previous one); every point of an
   * SLO whose source reads neither way. Rejects when a remote source fails or
   * `deadline` aborts first.
   */
  async pointsOf(slo: SloConfig, grid: HistoryGrid, corrections: readonly Correction[], deadline: AbortSignal): Promise<HistoryPoint[]> {
    const source = this.sources.get(slo.sli.source);
    const covering = correctionsBySlo(corrections, [slo]).get(slo.id) ?? [];
    if (source?.countsAt) return this.localPoints(slo, source, grid, covering);
    if (source?.countsOverRange) return this.remotePoints(slo, source, grid, covering, deadline);
    return Array.from({ length: pointCount(grid) }, (_, i) => nullPoint(grid.fromMs + i * grid.stepMs));
  }

  /** Whether the SLO's history comes from range reads (a remote source: whole-second steps). */
  readsByRange(slo: SloConfig): boolean {
    const source = this.sources.get(slo.sli.source);
    return source !== undefined && !source.countsAt && source.countsOverRange !== undefined;
  }

  /** Point by point from the local view, in chunks, yielding to the event loop between them. */
  private async localPoints(slo: SloConfig, source: MetricsSource, grid: HistoryGrid, corrections: readonly Correction[]): Promise<HistoryPoint[]> {
    const windows = this.windowsOf(slo);
    const countsAt = source.countsAt!.bind(source);
    const knownFromMs = this.clock.now() - (slo.calendar ? retentionMs(slo) - slo.windowMs : HISTORY_LOOKBACK_WINDOWS * Math.max(...windows.readMs));
    const points = pointCount(grid);
    const out = new Array<HistoryPoint>(points);
    for (let i = 0; i < points; i++) {
      if (i > 0 && i % HISTORY_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const t = grid.fromMs + i * grid.stepMs;
      if (t < knownFromMs) {
        out[i] = nullPoint(t);
        continue;
      }
      const plan = countPlanOf(slo, windows, corrections, t);
      const raw = countsAt({ slo, labels: plan.labels, windowsMs: plan.windowsMs, ranges: plan.ranges }, t);
      out[i] = pointOf(slo, windows, plan, raw, t);
    }
    return out;
  }

  /**
   * One range read per rolling window over the grid; the explicit ranges of each point that needs
   * them (and may have data) by instant reads, each distinct range once, a few points at a time.
   */
  private async remotePoints(
    slo: SloConfig,
    source: MetricsSource,
    grid: HistoryGrid,
    corrections: readonly Correction[],
    deadline: AbortSignal,
  ): Promise<HistoryPoint[]> {
    const windows = this.windowsOf(slo);
    const points = pointCount(grid);
    const times = Array.from({ length: points }, (_, i) => grid.fromMs + i * grid.stepMs);
    const rangeGrid = { fromMs: grid.fromMs, toMs: times[points - 1], stepMs: grid.stepMs };
    const series = await Promise.all(windows.readLabels.map((label) => source.countsOverRange!(slo, label, rangeGrid, deadline)));
    const sampled = times.map((_, i) => series.some((s) => s[i] != null));
    const plans = times.map((t) => countPlanOf(slo, windows, corrections, t));
    // a rolling window without a sample has nothing in its corrected parts either: no read for them
    const needed = times.flatMap((_, i) => (plans[i].ranges.length > 0 && (sampled[i] || plans[i].period !== null) ? [i] : []));
    const explicit = await this.rangeAnswers(slo, source, needed, times, plans, deadline);
    const out = new Array<HistoryPoint>(points);
    for (let i = 0; i < points; i++) {
      if (i > 0 && i % HISTORY_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const answered = explicit.get(i);
      if (!sampled[i] && !(answered && Object.values(answered).some((c) => c.total > 0))) {
        out[i] = nullPoint(times[i]);
        continue;
      }
      const raw: Record<string, Counts> = { ...answered };
      windows.readLabels.forEach((label, j) => (raw[label] = series[j][i] ?? NO_COUNTS));
      out[i] = pointOf(slo, windows, plans[i], raw, times[i]);
    }
    return out;
  }

  /** The explicit ranges of the `needed` points, by point; rejects at the first failure or at the deadline. */
  private async rangeAnswers(
    slo: SloConfig,
    source: MetricsSource,
    needed: readonly number[],
    times: readonly number[],
    plans: readonly CountPlan[],
    deadline: AbortSignal,
  ): Promise<Map<number, Record<string, Counts>>> {
    const out = new Map<number, Record<string, Counts>>();
    // the same range is asked once (a previous period, a past correction's part are the same for many points)
    const asked = new Map<string, Promise<Counts>>();
    const countsOf = (range: CountRange, atMs: number): Promise<Counts> => {
      const id = `${range.fromMs}:${range.toMs}:${range.interpolateEnd}`;
      let answer = asked.get(id);
      if (!answer) {
        answer = source.counts([{ slo, labels: [], windowsMs: [], ranges: [range] }], atMs, deadline).then((answers) => {
          const result = answers.get(slo.id) ?? new Error(`${slo.sli.source}: no counts for ${slo.id}`);
          if (result instanceof Error) throw result;
          return result[range.key] ?? NO_COUNTS;
        });
        asked.set(id, answer);
      }
      return answer;
    };
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < needed.length && !failed) {
        if (deadline.aborted) throw new Error('not answered within the deadline');
        const i = needed[next++];
        try {
          const counts = await Promise.all(plans[i].ranges.map((range) => countsOf(range, times[i])));
          out.set(i, Object.fromEntries(plans[i].ranges.map((range, k) => [range.key, counts[k]])));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RANGE_READS_IN_FLIGHT, needed.length) }, worker));
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

/** A deadline for one request's remote reads (many reads listen to it at once). */
export function historyDeadline(): AbortSignal {
  const deadline = AbortSignal.timeout(HISTORY_DEADLINE_MS);
  setMaxListeners(0, deadline);
  return deadline;
}

/** The 503 of a history whose source did not answer (by the deadline). */
export function sourceUnavailable(slo: SloConfig, error: unknown, deadline: AbortSignal): StateUnavailableError {
  if (deadline.aborted) {
    return new StateUnavailableError(`metrics source unavailable: the ${slo.sli.source} source did not answer the history of "${slo.id}" within ${formatDuration(HISTORY_DEADLINE_MS)}`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new StateUnavailableError(`metrics source unavailable: the history of "${slo.id}" cannot be read (${reason})`);
}

export function pointCount(grid: HistoryGrid): number {
  return Math.floor((grid.toMs - grid.fromMs) / grid.stepMs) + 1;
}

function nullPoint(t: number): HistoryPoint {
  return { t: new Date(t).toISOString(), sli: null, remaining: null, burnRates: null };
}

function pointOf(slo: SloConfig, windows: SloWindows, plan: CountPlan, raw: Record<string, Counts>, t: number): HistoryPoint {
  const numbers = budgetFromAnswers(slo, windows, plan, raw, t);
  return { t: new Date(t).toISOString(), sli: numbers.sli, remaining: numbers.remaining, burnRates: numbers.burnRates };
}
