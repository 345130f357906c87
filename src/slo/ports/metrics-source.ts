/**
 * Where an SLI's good and total counts come from (SPEC §1): a port the evaluation declares, with
 * one adapter per `sli.source` kind (the embedded event store, Prometheus; more can be added
 * without touching the evaluation). Sources are given all of a cycle's SLOs of their kind at once,
 * so they can share work (one event-store sync, one Prometheus query asked for several SLOs).
 */
import type { SloConfig } from '../../config/app-config';
import type { Counts } from '../domain/budget-math';
import type { CountRange } from '../domain/count-plan';

/**
 * One SLO and what a cycle needs counted: rolling windows `(at − w, at]` (labels as written in the
 * config, and their lengths) and explicit ranges (a calendar period, the parts of windows inside
 * corrections), answered under their keys.
 */
export interface CountsRequest {
  slo: SloConfig;
  labels: readonly string[];
  windowsMs: readonly number[];
  ranges?: readonly CountRange[];
}

/** Counts by window label, or why this SLO's counts could not be read (it fails alone). */
export type CountsResult = Record<string, Counts> | Error;

export interface MetricsSource {
  /** the `sli.source` this source reads */
  readonly kind: SloConfig['sli']['source'];
  /**
   * Counts over `(atMs − w, atMs]` of every requested window. Never rejects: a failure is an
   * `Error` per SLO. Settles by the time `deadline` aborts at the latest (what is unanswered by
   * then is an `Error`).
   */
  counts(requests: readonly CountsRequest[], atMs: number, deadline: AbortSignal): Promise<Map<string, CountsResult>>;
  /**
   * Point-in-time counts from a local view, cheap enough to call for every point of a history;
   * absent where each point would cost remote queries.
   */
  countsAt?(request: CountsRequest, atMs: number): Record<string, Counts>;
  /**
   * Counts of one rolling window (a label as written, `5m`) ending at each instant of the grid
   * `fromMs, fromMs + stepMs, …, ≤ toMs`, oldest first, from one range read per query (where
   * point-in-time reads are remote: Prometheus' `query_range`); null for an instant without a
   * sample. Rejects when the source cannot answer by the time `deadline` aborts.
   */
  countsOverRange?(slo: SloConfig, window: string, grid: { fromMs: number; toMs: number; stepMs: number }, deadline: AbortSignal): Promise<Array<Counts | null>>;
}

/** The list of every `MetricsSource` (a multi-provider: the sources module provides it). */
export const METRICS_SOURCES = Symbol('METRICS_SOURCES');
