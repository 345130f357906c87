/**
 * The embedded event store: good/total counts per SLO, bucketed at several resolutions so that
 * a window sum reads at most a few hundred buckets and honours SPEC §4's precision rule
 * (a window may include or omit only events within max(10s, w/60) of its start).
 */
import type { ExtraRing } from './bucket-layout';

export interface EventIncrement {
  slo: string;
  /** event time, epoch ms */
  timestampMs: number;
  good: number;
  total: number;
}

export interface WindowCounts {
  good: number;
  total: number;
}

/** What the store must keep for one SLO: the window lengths it will be asked about. */
export interface SloStoreLayout {
  slo: string;
  /** every window the SLO's evaluation reads (rule windows, 1h, and the SLO window), ms */
  windowsMs: number[];
  /** rings beyond the windows' natural tiers (a calendar SLO's period grid) */
  extraRings?: ExtraRing[];
}

export interface EventStore {
  /**
   * Sets (or replaces, on reload) which SLOs exist and which windows each needs. Data of SLOs
   * that still exist is kept; data of removed SLOs may be dropped.
   */
  configure(layouts: SloStoreLayout[]): Promise<void>;
  /** Stores a validated batch atomically: all of it or nothing; rejects with `StateUnavailableError` when the backing store does not take it. */
  add(increments: EventIncrement[]): Promise<void>;
  /**
   * Brings the local view up to date with everything stored so far (other replicas' writes
   * included). Rejects when the backing store cannot be read; the local view is then stale.
   */
  sync(): Promise<void>;
  /**
   * Counts over (endMs − w, endMs] for each window, from the local view as of the last sync.
   * Synchronous on purpose: an evaluation cycle calls it for every SLO and window.
   */
  windowCounts(slo: string, endMs: number, windowsMs: readonly number[]): WindowCounts[];
  /**
   * Counts of events stamped in `[fromMs, toMs]`, from the local view: read from the finest ring
   * still holding `fromMs` (exact when `fromMs` lies on that ring's bucket grid, else the edge
   * bucket is taken pro rata); the end bucket is counted whole (`toMs` is "now") or pro rata
   * (`interpolateEnd`, the end of a correction).
   */
  rangeCounts(slo: string, fromMs: number, toMs: number, interpolateEnd: boolean): WindowCounts;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
