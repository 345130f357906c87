import type { SloConfig } from '../../config/app-config';
import type { ProblemDetail } from '../../common/domain-error';
import { zodIssuesToDetails } from '../../common/problem-path';
import { parseTimestamp } from '../../common/timestamp';
import type { EventIncrement } from './event-store';
import { IngestEventSchema as eventSchema, IngestRequestSchema as ingestBodySchema, MAX_EVENTS_PER_REQUEST } from './ingest-api.schema';

export const MAX_FUTURE_MS = 5 * 60_000;

export type IngestValidation = { ok: true; increments: EventIncrement[] } | { ok: false; details: ProblemDetail[] };

/**
 * Validates a whole batch (SPEC §5): every problem is reported with its path, and nothing is
 * returned to store unless every event is good.
 */
export function validateIngest(
  body: unknown,
  sloOf: (id: string) => SloConfig | undefined,
  longestWindowMsOf: (slo: SloConfig) => number,
  nowMs: number,
): IngestValidation {
  const parsed = ingestBodySchema.safeParse(body);
  const details: ProblemDetail[] = parsed.success ? [] : zodIssuesToDetails(parsed.error.issues);
  if (!parsed.success) {
    // Shape problems first; semantic checks still run on events whose shape is fine.
    const events = (body as { events?: unknown })?.events;
    if (!Array.isArray(events) || events.length > MAX_EVENTS_PER_REQUEST) return { ok: false, details };
  }
  const events = parsed.success ? parsed.data.events : ((body as { events: unknown[] }).events ?? []);
  const increments: EventIncrement[] = [];
  events.forEach((raw, i) => {
    const shaped = eventSchema.safeParse(raw);
    if (!shaped.success) return; // already reported
    const event = shaped.data;
    const at = `events[${i}]`;
    const slo = sloOf(event.slo);
    if (!slo) {
      details.push({ path: `${at}.slo`, message: `unknown SLO "${event.slo}"` });
    } else if (slo.sli.source !== 'events') {
      details.push({ path: `${at}.slo`, message: `SLO "${event.slo}" reads from ${slo.sli.source}, not from events` });
    }
    if (event.good > event.total) {
      details.push({ path: `${at}.good`, message: `good (${event.good}) must not exceed total (${event.total})` });
    }
    let timestampMs = nowMs;
    if (event.timestamp !== undefined) {
      const parsedTs = parseTimestamp(event.timestamp);
      if (parsedTs === null) {
        details.push({ path: `${at}.timestamp`, message: 'must be an ISO-8601 timestamp with Z or an offset' });
      } else if (parsedTs > nowMs + MAX_FUTURE_MS) {
        details.push({ path: `${at}.timestamp`, message: 'is more than 5 minutes in the future' });
      } else if (slo && parsedTs <= nowMs - longestWindowMsOf(slo)) {
        details.push({ path: `${at}.timestamp`, message: "is older than the SLO's longest window" });
      } else {
        timestampMs = parsedTs;
      }
    }
    increments.push({ slo: event.slo, timestampMs, good: event.good, total: event.total });
  });
  return details.length > 0 ? { ok: false, details } : { ok: true, increments };
}
