import { loadYamlConfig } from '../../test/service/support';

/** SPEC §6: routes may match `kind` (burn-rate, source-unavailable, postmortem), validated by the config. */
const config = (match: string, labels = '') => `slos:
  - id: checkout-availability
    service: checkout
    objective: 99.9
    window: 30d
    sli: { source: events }
${labels}
notifiers:
  log: { type: log }
routes:
  - match: ${match}
    notify: [log]
`;

describe('routes matching kind', () => {
  it.each(['burn-rate', 'source-unavailable', 'postmortem'])('accepts kind %s', (kind) => {
    expect(loadYamlConfig(config(`{ kind: ${kind}, severity: ticket }`)).routes[0].match).toEqual({ kind, severity: 'ticket' });
  });

  it('refuses another kind, naming the key', () => {
    expect(() => loadYamlConfig(config('{ kind: postmortems }'))).toThrow(/routes.*kind.*must be burn-rate, source-unavailable or postmortem/s);
  });

  it('reserves kind: an SLO label may not be named so', () => {
    expect(() => loadYamlConfig(config('{}', '    labels: { kind: latency }'))).toThrow(/"kind" is reserved for routing/);
  });
});
