/** Test configs. Tokens are plain test values; the e2e tests assert they never leak. */
export const TOKENS = {
  ci: 'test-ci-token-0123456789',
  ingest: 'test-ingest-token-0123456789',
  admin: 'test-admin-token-0123456789',
  reader: 'test-reader-token-0123456789',
};

export function testConfig(options: { publicRead?: boolean; redisUrl?: string; redisPrefix?: string; extraSlos?: string } = {}): string {
  const server = options.redisUrl
    ? `server:\n  redisUrl: ${options.redisUrl}\n  redisPrefix: "${options.redisPrefix ?? 'test:'}"\n  evaluationInterval: 30s\n`
    : 'server:\n  evaluationInterval: 30s\n';
  return `slos:
  - id: checkout-availability
    service: checkout
    team: payments
    objective: 99.9
    window: 30d
    sli: { source: events }
    runbook: https://wiki.example/runbooks/checkout
  - id: checkout-latency
    service: checkout
    objective: 99
    window: 7d
    sli: { source: events }
  - id: search-availability
    service: search
    objective: 99.5
    window: 28d
    sli: { source: events }
    alerting:
      minEvents: 10
      rules:
        - { severity: page, burnRate: 10, long: 30m, short: 2m }
        - { severity: ticket, burnRate: 2, long: 6h, short: 1h }
${options.extraSlos ?? ''}
policy:
  zones: { caution: 0.5, freeze: 0.25 }
  onUnknown: deny
  onNoData: unknown
auth:
  publicRead: ${options.publicRead ?? false}
  tokens:
    - { name: ci, token: "${TOKENS.ci}", scopes: [read, gate] }
    - { name: ingest, token: "${TOKENS.ingest}", scopes: [ingest] }
    - { name: sre, token: "${TOKENS.admin}", scopes: [read, gate, ingest, admin] }
    - { name: reader, token: "${TOKENS.reader}", scopes: [read] }
notifiers:
  log: { type: log }
routes:
  - match: { severity: page }
    notify: [log]
${server}`;
}

/** A Prometheus SLO whose source never answers (port 9, discard): never evaluated (null numbers), its source-unavailable ticket fires after 3 cycles. */
export const UNREACHABLE_PROMETHEUS_SLO = `  - id: catalog-latency
    service: catalog
    objective: 99
    window: 7d
    sli: { source: prometheus, goodQuery: 'sum(rate(good[{{window}}]))', totalQuery: 'sum(rate(total[{{window}}]))' }
sources:
  prometheus: { url: "http://127.0.0.1:9" }`;
