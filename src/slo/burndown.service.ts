import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import type { SloConfig } from '../config/app-config';
import { CLOCK, Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
import type { Correction } from './domain/corrections';
import { periodAt } from './domain/calendar';
import { historyDeadline, SloHistoryService, type HistoryGrid } from './slo-history.service';

export const DEFAULT_BURNDOWN_POINTS = 48;
export const MAX_BURNDOWN_POINTS = 200;
/** SLOs whose series are computed at once (each may read a remote source). */
const SLOS_IN_FLIGHT = 4;

/** One SLO's remaining budget over its whole window (rolling) or current period (calendar). */
export interface BurndownSeries {
  slo: string;
  /** as configured: the board searches and filters on these */
  description: string | null;
  labels: Record<string, string>;
  /** the first instant */
  from: string;
  /** the last instant: now */
  to: string;
  /** seconds between two instants (whole; the history takes it as `step=<step>s`) */
  step: number;
  /** `remaining` of the history at each instant `from + i × step` */
  remaining: Array<number | null>;
}

export interface Burndown {
  slos: BurndownSeries[];
}

/**
 * The board's burn-down lines of every SLO (of a service) in one request: for each SLO, its
 * history's `remaining` at `points` instants evenly spaced over its window, ending now. The same
 * numbers as `GET /v1/slos/{id}/history` with the series' `from`, `to` and `step`.
 */
@Injectable()
export class BurndownService {
  private readonly logger = new Logger('Burndown');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly history: SloHistoryService,
  ) {}

  /**
   * Sorted by SLO id. 404 when `service` has no SLO; 503 when the state store does not answer. An
   * SLO whose metrics source does not answer (within the request's deadline, shared by all SLOs)
   * has a series of nulls, so one unreachable source does not blank the whole board.
   */
  async burndown(query: { service?: string; points: number }): Promise<Burndown> {
    const slos = this.config.current.slos
      .filter((slo) => query.service === undefined || slo.service === query.service)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (query.service !== undefined && slos.length === 0) throw new NotFoundError(`unknown service "${query.service}"`);
    const nowMs = this.clock.now();
    const corrections = await this.history.readState();
    const deadline = historyDeadline();
    const out = new Array<BurndownSeries>(slos.length);
    const failed: Array<{ slo: string; err: string }> = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < slos.length) {
        const i = next++;
        out[i] = await this.seriesOf(slos[i], nowMs, query.points, corrections, deadline, failed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SLOS_IN_FLIGHT, slos.length) }, worker));
    if (failed.length > 0) {
      this.logger.warn({ failed: failed.length, first: failed.slice(0, 5) }, 'burn-down lines not computed: metrics source unavailable');
    }
    return { slos: out };
  }

  private async seriesOf(
    slo: SloConfig,
    nowMs: number,
    points: number,
    corrections: readonly Correction[],
    deadline: AbortSignal,
    failed: Array<{ slo: string; err: string }>,
  ): Promise<BurndownSeries> {
    const grid = burndownGrid(slo, nowMs, points);
    const head = { slo: slo.id, description: slo.description ?? null, labels: slo.labels, from: new Date(grid.fromMs).toISOString(), to: new Date(grid.toMs).toISOString(), step: grid.stepMs / 1000 };
    try {
      const history = await this.history.pointsOf(slo, grid, corrections, deadline);
      return { ...head, remaining: history.map((point) => point.remaining) };
    } catch (error) {
      failed.push({ slo: slo.id, err: deadline.aborted ? 'not answered within the deadline' : error instanceof Error ? error.message : String(error) });
      return { ...head, remaining: new Array<null>(points).fill(null) };
    }
  }
}

/**
 * `points` instants ending at `nowMs`, spread over the SLO's window (rolling: `now − window`;
 * calendar: the current period's start): the step is the span over `points − 1`, rounded down to
 * whole seconds (so the first instant never falls before the window, where the numbers are another
 * window's or unknown), at least 1 s.
 */
export function burndownGrid(slo: SloConfig, nowMs: number, points: number): HistoryGrid {
  const startMs = slo.calendar ? periodAt(slo.calendar, nowMs).startMs : nowMs - slo.windowMs;
  const stepMs = Math.max(1000, Math.floor((nowMs - startMs) / (points - 1) / 1000) * 1000);
  return { fromMs: nowMs - (points - 1) * stepMs, toMs: nowMs, stepMs };
}
