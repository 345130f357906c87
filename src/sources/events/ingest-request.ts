import type { SloConfig } from '../../config/app-config';
import type { ProblemDetail } from '../../common/domain-error';
import { zodIssuesToDetails } from '../../common/problem-path';
import { parseTimestamp, timestampProblem } from '../../common/timestamp';
import type { EventIncrement } from './event-store';
import { IngestRequestSchema as ingestBodySchema, MAX_EVENTS_PER_REQUEST } from './ingest-api.schema';

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
    // Shape problems first; the fields whose shape is fine are checked further below.
    const events = (body as { events?: unknown })?.events;
    if (!Array.isArray(events) || events.length > MAX_EVENTS_PER_REQUEST) return { ok: false, details };
  }
  // paths whose shape is wrong (an unknown key is reported on the event, but leaves its fields checkable)
  const reported = new Set(parsed.success ? [] : zodIssuesToDetails(parsed.error.issues.filter((issue) => issue.code !== 'unrecognized_keys')).map((d) => d.path));
  const events: unknown[] = parsed.success ? parsed.data.events : (body as { events: unknown[] }).events;
  const increments: EventIncrement[] = [];
  events.forEach((raw, i) => {
    const at = `events[${i}]`;
    // Each field whose shape is fine is checked further, even when another field of the event is
    // broken (every problem is reported); shape problems were reported above.
    const field = (name: string) => (reported.has(`${at}.${name}`) || reported.has(at) ? undefined : (raw as Record<string, unknown> | null)?.[name]);
    const sloId = field('slo');
    const good = field('good');
    const total = field('total');
    const timestamp = field('timestamp');
    let slo: SloConfig | undefined;
    if (typeof sloId === 'string') {
      slo = sloOf(sloId);
      if (!slo) {
        details.push({ path: `${at}.slo`, message: `unknown SLO "${sloId}"` });
      } else if (slo.sli.source !== 'events') {
        details.push({ path: `${at}.slo`, message: `SLO "${sloId}" reads from ${slo.sli.source}, not from events` });
      }
    }
    if (typeof good === 'number' && typeof total === 'number' && good > total) {
      details.push({ path: `${at}.good`, message: `good (${good}) must not exceed total (${total})` });
    }
    let timestampMs = nowMs;
    if (typeof timestamp === 'string') {
      const parsedTs = parseTimestamp(timestamp);
      if (parsedTs === null) {
        details.push({ path: `${at}.timestamp`, message: timestampProblem(timestamp) ?? 'invalid timestamp' });
      } else if (parsedTs > nowMs + MAX_FUTURE_MS) {
        details.push({ path: `${at}.timestamp`, message: 'is more than 5 minutes in the future' });
      } else if (slo && parsedTs <= nowMs - longestWindowMsOf(slo)) {
        details.push({ path: `${at}.timestamp`, message: "is older than the SLO's longest window" });
      } else {
        timestampMs = parsedTs;
      }
    }
    if (details.length === 0) increments.push({ slo: sloId as string, timestampMs, good: good as number, total: total as number });
  });
  return details.length > 0 ? { ok: false, details } : { ok: true, increments };
}
