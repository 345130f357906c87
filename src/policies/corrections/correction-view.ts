import type { ConfiguredCorrection } from '../../config/app-config';
import { formatDuration } from '../../common/duration';
import type { Correction } from '../../slo/domain/corrections';
import type { ApiCorrection } from '../ports/correction.repository';

/**
 * A correction as the API answers it (SPEC §5) and the state export carries it: timestamps ISO-8601
 * UTC, `end` the end of the first occurrence, `duration` as a duration string (`2h`).
 */
export interface CorrectionView {
  id: string;
  slo: string | null;
  service: string | null;
  start: string;
  end: string;
  duration: string;
  repeat: 'daily' | 'weekly' | null;
  reason: string;
  source: 'config' | 'api';
  createdAt: string | null;
  createdBy: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function correctionView(c: Correction): CorrectionView {
  return {
    id: c.id,
    slo: c.slo ?? null,
    service: c.service ?? null,
    start: iso(c.startMs),
    end: iso(c.startMs + c.durationMs),
    duration: formatDuration(c.durationMs),
    repeat: c.repeat,
    reason: c.reason,
    source: c.source,
    createdAt: c.createdAtMs === null ? null : iso(c.createdAtMs),
    createdBy: c.createdBy,
  };
}

/** A correction of the config, as the evaluation and the API see it. */
export function configuredCorrection(c: ConfiguredCorrection): Correction {
  const out: Correction = {
    id: c.id,
    startMs: c.startMs,
    durationMs: c.durationMs,
    repeat: c.repeat,
    reason: c.reason,
    source: 'config',
    createdAtMs: null,
    createdBy: null,
  };
  if (c.slo !== undefined) out.slo = c.slo;
  if (c.service !== undefined) out.service = c.service;
  return out;
}

/**
 * An API correction back from its view (a state import). The view was validated first
 * (`ExportedCorrectionSchema`): source `api`, createdAt and createdBy set, end after start.
 */
export function apiCorrectionFromView(v: CorrectionView): ApiCorrection {
  const startMs = Date.parse(v.start);
  const out: ApiCorrection = {
    id: v.id,
    startMs,
    durationMs: Date.parse(v.end) - startMs,
    repeat: v.repeat,
    reason: v.reason,
    source: 'api',
    createdAtMs: Date.parse(v.createdAt ?? v.start),
    createdBy: v.createdBy ?? '',
  };
  if (v.slo !== null) out.slo = v.slo;
  if (v.service !== null) out.service = v.service;
  return out;
}
