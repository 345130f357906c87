import { convertYaml, problemPaths, sloYaml } from '../../../test/fixtures/openslo/helpers';

const policy = (name: string, conditions: string, extra = ''): string => `---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: ${name}
spec:
${extra}  conditions:
${conditions}`;

const inline = (severity: string, condition: string): string =>
  `    - kind: AlertCondition\n      metadata: { name: c }\n      spec:\n        severity: ${severity}\n        condition: ${condition}\n`;

const withPolicy = (...policies: string[]): string =>
  sloYaml({ spec: '  alertPolicies:\n    - alertPolicyRef: burn\n' }) + policies.join('');

describe('OpenSLO AlertPolicy / AlertCondition → native alert rules', () => {
  it('maps burn-rate conditions: severity, burnRate = threshold, long = lookbackWindow, short = lookbackWindow / 12', () => {
    const result = convertYaml(
      withPolicy(
        policy(
          'burn',
          inline('critical', '{ kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m }') +
            inline('High', '{ kind: burnrate, op: gte, threshold: 6, lookbackWindow: 30m }') +
            inline('PAGE', '{ kind: burnrate, op: gte, threshold: 5, lookbackWindow: 13m }') +
            inline('warning', '{ kind: burnrate, op: gte, threshold: 3, lookbackWindow: 1d }') +
            inline('low', '{ kind: BurnRate, op: gt, threshold: 1, lookbackWindow: 7m }') +
            '    - kind: AlertCondition\n      metadata: { name: c }\n      spec:\n        condition: { kind: burnrate, threshold: 2, lookbackWindow: 3d }\n',
        ),
      ),
    );
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.alerting).toEqual({
      rules: [
        { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
        { severity: 'page', burnRate: 6, long: '30m', short: '2m30s' },
        { severity: 'page', burnRate: 5, long: '13m', short: '1m5s' },
        { severity: 'ticket', burnRate: 3, long: '1d', short: '2h' },
        { severity: 'ticket', burnRate: 1, long: '7m', short: '35s' },
        { severity: 'ticket', burnRate: 2, long: '3d', short: '6h' },
      ],
    });
  });

  it('resolves alertPolicyRef, conditionRef and inline policies across files; one rule per distinct condition', () => {
    const slo = sloYaml({
      spec: '  alertPolicies:\n    - alertPolicyRef: burn\n    - kind: AlertPolicy\n      metadata: { name: inline }\n      spec:\n        conditions:\n          - conditionRef: fast\n',
    });
    const alerts = `${policy('burn', '    - conditionRef: fast\n    - conditionRef: slow\n')}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: { name: fast }
spec: { severity: page, condition: { kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h } }
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: { name: slow }
spec: { severity: ticket, condition: { kind: burnrate, op: gt, threshold: 1, lookbackWindow: 3d } }
`;
    const result = convertYaml({ file: 'slo.yaml', text: slo }, { file: 'alerts.yaml', text: alerts });
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.alerting?.rules).toEqual([
      { severity: 'page', burnRate: 14.4, long: '1h', short: '5m' },
      { severity: 'ticket', burnRate: 1, long: '3d', short: '6h' },
    ]);
  });

  it('reads a bare policy name in alertPolicies as a reference (slogen writes them)', () => {
    const result = convertYaml(
      sloYaml({ spec: '  alertPolicies:\n    - burn\n' }) + policy('burn', inline('page', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h }')),
    );
    expect(result.problems).toEqual([]);
    expect(result.slos[0].value.alerting?.rules).toEqual([{ severity: 'page', burnRate: 2, long: '1h', short: '5m' }]);
  });

  it('without alert policies, emits no rules (the native default table applies)', () => {
    const result = convertYaml(sloYaml({ spec: '  alertPolicies: []\n' }));
    expect(result.slos[0].value.alerting).toBeUndefined();
  });

  describe('refuses, naming the field', () => {
    it.each([
      ['op lt', '{ kind: burnrate, op: lt, threshold: 2, lookbackWindow: 1h }', 'op'],
      ['op lte', '{ kind: burnrate, op: lte, threshold: 2, lookbackWindow: 1h }', 'op'],
      ['op eq', '{ kind: burnrate, op: eq, threshold: 2, lookbackWindow: 1h }', 'op'],
      ['threshold 0', '{ kind: burnrate, op: gt, threshold: 0, lookbackWindow: 1h }', 'threshold'],
      ['a negative threshold', '{ kind: burnrate, op: gt, threshold: -1, lookbackWindow: 1h }', 'threshold'],
      ['no threshold', '{ kind: burnrate, op: gt, lookbackWindow: 1h }', 'threshold'],
      ['a negative lookbackWindow', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: -1h }', 'lookbackWindow'],
      ['a lookbackWindow in months', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1M }', 'lookbackWindow'],
      ['a lookbackWindow too short for a short window', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 5s }', 'lookbackWindow'],
      ['no lookbackWindow', '{ kind: burnrate, op: gt, threshold: 2 }', 'lookbackWindow'],
      ['a condition kind other than burnrate', '{ kind: threshold, op: gt, threshold: 2, lookbackWindow: 1h }', 'kind'],
    ])('%s', (_, condition, field) => {
      const result = convertYaml(withPolicy(policy('burn', inline('page', condition))));
      expect(result.slos).toEqual([]);
      expect(result.problems).toEqual([
        { file: 'file0.yaml', path: `documents[1].spec.conditions[0].spec.condition.${field}`, message: expect.stringContaining('(used by SLO "web-availability")') },
      ]);
    });

    it('alertWhenBreaching: false', () => {
      const result = convertYaml(withPolicy(policy('burn', inline('page', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h }'), '  alertWhenBreaching: false\n')));
      expect(problemPaths(result)).toEqual(['documents[1].spec.alertWhenBreaching']);
    });

    it('a policy without conditions', () => {
      const result = convertYaml(sloYaml({ spec: '  alertPolicies:\n    - burn\n' }) + '---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: { name: burn }\nspec: { conditions: [] }\n');
      expect(problemPaths(result)).toEqual(['documents[1].spec.conditions']);
    });

    it('dangling references reached from the SLO, each naming the reference', () => {
      const result = convertYaml(
        sloYaml({ spec: '  alertPolicies:\n    - alertPolicyRef: missing-policy\n    - alertPolicyRef: burn\n' }) + policy('burn', '    - conditionRef: missing-condition\n'),
      );
      expect(result.problems).toEqual([
        { file: 'file0.yaml', path: 'documents[0].spec.alertPolicies[0].alertPolicyRef', message: 'AlertPolicy "missing-policy" is not defined in any file (dangling reference)' },
        {
          file: 'file0.yaml',
          path: 'documents[1].spec.conditions[0].conditionRef',
          message: 'AlertCondition "missing-condition" is not defined in any file (dangling reference) (used by SLO "web-availability")',
        },
      ]);
    });

    it('a reference to a name defined twice', () => {
      const condition = inline('page', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h }');
      const result = convertYaml(withPolicy(policy('burn', condition), policy('burn', condition)));
      expect(problemPaths(result)).toEqual(['documents[0].spec.alertPolicies[0].alertPolicyRef']);
      expect(result.problems[0].message).toMatch(/defined more than once/);
    });
  });

  it('ignores notification targets with a warning each; a dangling targetRef is a warning', () => {
    const result = convertYaml(
      withPolicy(
        policy(
          'burn',
          inline('page', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h }'),
          '  notificationTargets:\n    - targetRef: nowhere\n    - targetRef: mail\n    - kind: AlertNotificationTarget\n      metadata: { name: pager }\n      spec: { target: pagerduty }\n',
        ),
      ) + '---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata: { name: mail }\nspec: { target: email }\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      'file0.yaml: documents[1].spec.notificationTargets[0].targetRef: AlertNotificationTarget "nowhere" is not defined in any file (dangling targetRef; notification targets are not used anyway)',
      'file0.yaml: documents[1].spec.notificationTargets[2]: AlertNotificationTarget "pager" ignored: notifications go where the native config\'s routes send them',
      'file0.yaml: documents[2]: AlertNotificationTarget "mail" ignored: notifications go where the native config\'s routes send them',
    ]);
  });

  it('a policy no SLO uses: what could not run, and its dangling references, are warnings', () => {
    const result = convertYaml(
      policy('spare', '    - conditionRef: nowhere\n' + inline('page', '{ kind: burnrate, op: lte, threshold: 2, lookbackWindow: 1h }')).replace(/^---\n/, ''),
    );
    expect(result.problems).toEqual([]);
    expect(result.warnings).toEqual([
      'file0.yaml: spec.conditions[0].conditionRef: AlertCondition "nowhere" is not defined in any file (dangling reference) (not used by any SLO, so only a warning)',
      expect.stringMatching(/^file0\.yaml: spec\.conditions\[1\]\.spec\.condition\.op: must be gt or gte .*\(not used by any SLO, so only a warning\)$/),
    ]);
  });

  it('lists alertAfter among the keys not used, in a warning and in the explanation', () => {
    const result = convertYaml(withPolicy(policy('burn', inline('page', '{ kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h, alertAfter: 5m }'))));
    expect(result.warnings).toEqual([
      expect.stringContaining('SLO "web-availability": keys not used by the engine: documents[1].spec.conditions[0].spec.condition.alertAfter'),
    ]);
    expect(result.explanations[0].ignored).toContainEqual({ file: 'file0.yaml', path: 'documents[1].spec.conditions[0].spec.condition.alertAfter' });
  });
});
