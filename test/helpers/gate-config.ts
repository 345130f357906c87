import { TOKENS } from './configs';

/** One service per zone, each with one 99% / 1d events SLO; the zone is set by the events pushed. */
export const ZONE_SERVICES = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'] as const;
export type ZoneName = (typeof ZONE_SERVICES)[number];

/** good out of 10,000 giving remaining 1, 0.4, 0.1, −1 (objective 99%: e = 0.01) */
export const GOOD_FOR_ZONE: Record<Exclude<ZoneName, 'unknown'>, number> = {
  normal: 10_000,
  caution: 9_940,
  freeze: 9_910,
  exhausted: 9_800,
};

export function gateConfig(options: { onUnknown?: 'allow' | 'deny'; redisUrl?: string; prefix?: string; pagerdutyUrl?: string } = {}): string {
  const slos = ZONE_SERVICES.map((zone) => `  - { id: ${zone}-slo, service: zone-${zone}, objective: 99, window: 1d, sli: { source: events } }`);
  const server = options.redisUrl ? `server:\n  redisUrl: ${options.redisUrl}\n  redisPrefix: "${options.prefix ?? 'gate:'}"\n` : '';
  const notifiers = options.pagerdutyUrl
    ? `notifiers:\n  pd: { type: pagerduty, routingKey: "R0UT1NGKEY0123456789012345678901", url: "${options.pagerdutyUrl}", changeEvents: true }\n`
    : '';
  return `slos:
${slos.join('\n')}
policy:
  onUnknown: ${options.onUnknown ?? 'deny'}
auth:
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
${notifiers}${server}`;
}

/** Events putting each zone-* service in its zone (zone-unknown gets none and is never evaluated). */
export function zoneEvents(nowMs: number) {
  const timestamp = new Date(nowMs - 3_600_000).toISOString();
  return {
    events: Object.entries(GOOD_FOR_ZONE).map(([zone, good]) => ({ slo: `${zone}-slo`, good, total: 10_000, timestamp })),
  };
}
