/** ISO-8601 date-time that carries `Z` or an offset (SPEC §5: request timestamps must). */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Epoch ms of an ISO-8601 timestamp with zone, or null when it is not one. */
export function parseTimestamp(text: string): number | null {
  if (typeof text !== 'string' || text.length > 40 || !ISO_WITH_ZONE.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
