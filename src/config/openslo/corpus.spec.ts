import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../app-config';
import { loadConfigWithExplanations } from '../config.loader';

/**
 * Every file of the OpenSLO corpus (`shared/external/openslo/`, real files from the OpenSLO spec,
 * its go-sdk and oslo, Nobl9, slogen, osko and Sloth; the first line of each names its source),
 * each loaded alone through `loadConfig`, with its outcome decided from the SPEC §3 mapping.
 * CI has the corpus beside the repository; a plain clone may not, and then this suite is skipped.
 */
const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'external', 'openslo');

type Outcome =
  | { outcome: 'imported'; slos: Array<Record<string, unknown>>; prometheusUrl?: string }
  /** accepted without SLOs: the OpenSLO warnings, as `path: message` (the file name left out) */
  | { outcome: 'accepted'; warnings: string[]; prometheusUrl?: string }
  /** refused: exactly these `file path` problems (file: its number in the corpus) */
  | { outcome: 'refused'; problems: string[] };

interface Case {
  /** other corpus files loaded together with this one (and why) */
  with?: string[];
  why: string;
  expected: Outcome;
}

const NOT_PROMETHEUS = (type: string): string => `"${type}" is not supported: the engine reads Prometheus-compatible sources only`;
const UNUSED = '(not used by any SLO, so only a warning)';
const IGNORED_TARGET = (name: string): string => `AlertNotificationTarget "${name}" ignored: notifications go where the native config's routes send them`;
const DANGLING_TARGET = (name: string): string =>
  `AlertNotificationTarget "${name}" is not defined in any file (dangling targetRef; notification targets are not used anyway)`;

const CASES: Record<string, Case> = {
  '01-openslo-occurences-slo.yaml': {
    why: 'a thresholdMetric SLI (latency < 500 ms) is refused; its type Any is not looked at further',
    expected: { outcome: 'refused', problems: ['01 spec.indicator.spec.thresholdMetric'] },
  },
  '02-openslo-ratio-timeslices.yaml': {
    why: 'RatioTimeslices, and metric sources of type Any',
    expected: {
      outcome: 'refused',
      problems: ['02 spec.budgetingMethod', '02 spec.indicator.spec.ratioMetric.good.metricSource.type', '02 spec.indicator.spec.ratioMetric.total.metricSource.type'],
    },
  },
  '03-openslo-timeslices-slo.yaml': {
    why: 'Timeslices, two objectives, a calendar window of 1m (a minute, not 1M), type Any',
    expected: {
      outcome: 'refused',
      problems: [
        '03 spec.budgetingMethod',
        '03 spec.indicator.spec.ratioMetric.good.metricSource.type',
        '03 spec.indicator.spec.ratioMetric.total.metricSource.type',
        '03 spec.objectives',
        '03 spec.timeWindow[0].duration',
      ],
    },
  },
  '04-openslo-readme-inline-sli-slo.yaml': {
    why: 'a Datadog SLI (its metricSourceRef names no DataSource of the corpus; type is given, so that is no error)',
    expected: { outcome: 'refused', problems: ['04 spec.indicator.spec.ratioMetric.good.metricSource.type', '04 spec.indicator.spec.ratioMetric.total.metricSource.type'] },
  },
  '05-gosdk-decode-v1-slos.yaml': {
    why: 'Prometheus, but metricSource.spec.dimensions is refused (its bare selectors alone would be wrapped)',
    expected: {
      outcome: 'refused',
      problems: ['05 [0].spec.indicator.spec.ratioMetric.good.metricSource.spec.dimensions', '05 [0].spec.indicator.spec.ratioMetric.total.metricSource.spec.dimensions'],
    },
  },
  '06-gosdk-examples-slis.yaml': {
    why: 'SLIs no SLO uses: accepted, a warning for each thing the engine could not run',
    expected: {
      outcome: 'accepted',
      warnings: [
        `[0].spec.ratioMetric.good.metricSource.type: ${NOT_PROMETHEUS('Datadog')}`,
        `[0].spec.ratioMetric.total.metricSource.type: ${NOT_PROMETHEUS('Datadog')}`,
        `[1].spec.ratioMetric.bad.metricSource.type: ${NOT_PROMETHEUS('AppDynamics')}`,
        `[1].spec.ratioMetric.total.metricSource.type: ${NOT_PROMETHEUS('AppDynamics')}`,
        '[2].spec.ratioMetric.raw: a raw ratio query',
        '[3].spec.thresholdMetric: a thresholdMetric SLI is not supported',
      ],
    },
  },
  '07-gosdk-examples-data-sources.yaml': {
    why: 'the Prometheus DataSource becomes sources.prometheus (no native one); the Datadog one is not used (its keys never printed)',
    expected: {
      outcome: 'accepted',
      prometheusUrl: 'http://prometheus.example.com',
      warnings: ['[1].spec.type: DataSource "datadog": "Datadog" is not a type the engine reads'],
    },
  },
  '08-gosdk-examples-alert-policies.yaml': {
    why: 'policies no SLO uses: dangling conditionRef and targetRef, an inline notification target',
    expected: {
      outcome: 'accepted',
      warnings: [
        `[0].spec.conditions[0].conditionRef: AlertCondition "cpu-usage-breach" is not defined in any file (dangling reference) ${UNUSED}`,
        `[0].spec.notificationTargets[0].targetRef: ${DANGLING_TARGET('on-call-mail-notification')}`,
        `[1].spec.notificationTargets[0].targetRef: ${DANGLING_TARGET('on-call-pd-notification')}`,
        `[2].spec.conditions[0].conditionRef: AlertCondition "cpu-usage-breach" is not defined in any file (dangling reference) ${UNUSED}`,
        `[2].spec.notificationTargets[0]: ${IGNORED_TARGET('on-call-slack-notification')}`,
      ],
    },
  },
  '09-gosdk-examples-alert-conditions.yaml': {
    why: 'conditions no SLO uses: the lte one would invert a burn-rate alert',
    expected: { outcome: 'accepted', warnings: ['[0].spec.condition.op: must be gt or gte (got lte)'] },
  },
  '10-gosdk-examples-alert-notification-targets.yaml': {
    why: 'notification targets are accepted and ignored',
    expected: { outcome: 'accepted', warnings: [`[0]: ${IGNORED_TARGET('devs-email-notification')}`, `[1]: ${IGNORED_TARGET('pd-on-call-notification')}`] },
  },
  '11-gosdk-examples-services.yaml': {
    why: 'two Services with the same name',
    expected: { outcome: 'accepted', warnings: ['[1].metadata.name: Service "example-service" is also defined in'] },
  },
  '12-gosdk-decode-two-documents.yaml': {
    why: 'two Service documents in a --- stream',
    expected: { outcome: 'accepted', warnings: [] },
  },
  '13-gosdk-inline-v1-slo.yaml': {
    why: 'Timeslices; thresholdMetric inline and through indicatorRef; an lte condition reached through a policy',
    expected: {
      outcome: 'refused',
      problems: [
        '13 [0].spec.budgetingMethod',
        '13 [0].spec.indicator.spec.thresholdMetric',
        '13 [1].spec.budgetingMethod',
        '13 [2].spec.thresholdMetric',
        '13 [3].spec.condition.op',
      ],
    },
  },
  '14-gosdk-inline-v1-slo-invalid-sli.yaml': {
    why: 'a dangling indicatorRef reached from an SLO is an error; Timeslices',
    expected: { outcome: 'refused', problems: ['14 [0].spec.budgetingMethod', '14 [0].spec.indicatorRef'] },
  },
  '15-oslo-validate-v1.yaml': {
    why: 'Prometheus with sum(selector) queries (they would be wrapped), a calendar week: only Timeslices is refused',
    expected: { outcome: 'refused', problems: ['15 [0].spec.budgetingMethod'] },
  },
  '16-oslo-format-two-documents.yaml': {
    why: 'a list of two Services, then a --- document: documents[0][i] and documents[1]',
    expected: { outcome: 'accepted', warnings: [] },
  },
  '17-nobl9-v1-slos.yaml': {
    why: 'the first SLO (promql, type prometheus, calendar week) names a policy no file defines; the second uses a thresholdMetric SLI',
    expected: { outcome: 'refused', problems: ['17 [0].spec.alertPolicies[0].alertPolicyRef', '17 [2].spec.thresholdMetric'] },
  },
  '18-nobl9-v1-alert-policy.yaml': {
    why: 'policies no SLO uses, valid (severity High, gte): only their notification targets are warned about',
    expected: {
      outcome: 'accepted',
      warnings: [`[0].spec.notificationTargets[0].targetRef: ${DANGLING_TARGET('some-target')}`, `[1].spec.notificationTargets[0]: ${IGNORED_TARGET('on-call-mail-notification')}`],
    },
  },
  '19-nobl9-v1-data-sources.yaml': {
    why: 'Elasticsearch and AppDynamics DataSources are not used (their clientSecret never printed)',
    expected: {
      outcome: 'accepted',
      warnings: ['[0].spec.type: DataSource "elasticsearch": "elasticsearch" is not a type', '[1].spec.type: DataSource "app-dynamics": "appDynamics" is not a type'],
    },
  },
  '20-slogen-logs-req-rolling.yaml': {
    with: ['21-slogen-alert-policy-burn-rate.yaml'],
    why: 'slogen sample: its alertPolicies names the policy of file 21, so both are loaded together; a name that cannot be an id, Sumo Logic sources, and the policy\'s negative lookbackWindow',
    expected: {
      outcome: 'refused',
      problems: [
        '20 metadata.name',
        '20 spec.indicator.spec.ratioMetric.good.metricSource.type',
        '20 spec.indicator.spec.ratioMetric.total.metricSource.type',
        '21 spec.conditions[0].spec.condition.lookbackWindow',
        '21 spec.conditions[1].spec.condition.lookbackWindow',
      ],
    },
  },
  '21-slogen-alert-policy-burn-rate.yaml': {
    why: 'alone, no SLO uses the policy: its negative lookbackWindows and dangling targetRefs are warnings',
    expected: {
      outcome: 'accepted',
      warnings: [
        `spec.conditions[0].spec.condition.lookbackWindow: must be a positive duration such as 1h (got -1h) ${UNUSED}`,
        `spec.conditions[1].spec.condition.lookbackWindow: must be a positive duration such as 1h (got -1h) ${UNUSED}`,
        `spec.notificationTargets[0].targetRef: ${DANGLING_TARGET('DevOpsMail')}`,
        `spec.notificationTargets[1].targetRef: ${DANGLING_TARGET('DevOpsSlack')}`,
      ],
    },
  },
  '22-osko-openslo-com-v1-slo.yaml': {
    why: 'osko\'s openslo.com/v1 is not OpenSLO v1',
    expected: { outcome: 'refused', problems: ['22 apiVersion'] },
  },
  '23-sloth-openslo-v1alpha-getting-started.yml': {
    why: 'Sloth\'s openslo/v1alpha is not OpenSLO v1',
    expected: { outcome: 'refused', problems: ['23 apiVersion'] },
  },
};

const available = fs.existsSync(CORPUS);
if (!available) {
  console.warn(`OpenSLO corpus not found at ${CORPUS}: the corpus tests are skipped (CI has it; a plain clone may not)`);
}
const describeCorpus = available ? describe : describe.skip;

describeCorpus('the OpenSLO corpus, each file through loadConfig', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has an expected outcome for every file', () => {
    expect(Object.keys(CASES).sort()).toEqual(fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort());
  });

  it.each(Object.entries(CASES))('%s', (name, { with: others = [], expected }) => {
    let target = path.join(CORPUS, name);
    if (others.length > 0) {
      target = fs.mkdtempSync(path.join(os.tmpdir(), 'openslo-corpus-'));
      made.push(target);
      for (const file of [name, ...others]) fs.copyFileSync(path.join(CORPUS, file), path.join(target, file));
    }
    const number = (file: string): string => path.basename(file).slice(0, 2);
    let result: ReturnType<typeof loadConfigWithExplanations> | undefined;
    let problems: ConfigError['problems'] = [];
    try {
      result = loadConfigWithExplanations({ path: target, env: {} });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error; // never a crash
      problems = error.problems;
    }
    for (const problem of problems) expect(problem.message).not.toMatch(/unknown key/);

    if (expected.outcome === 'refused') {
      expect(result).toBeUndefined();
      expect(problems.map((p) => `${number(p.file)} ${p.path}`).sort()).toEqual(expected.problems);
      return;
    }
    expect(problems).toEqual([]);
    const config = result!.config;
    const prefix = `${path.join(CORPUS, name)}: `;
    const ownWarnings = config.warnings.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length));
    expect(config.warnings.filter((w) => !w.startsWith(prefix) && !/no auth tokens|no SLOs configured|no routes configured/.test(w))).toEqual([]);
    expect(config.sources.prometheus?.url).toBe(expected.prometheusUrl);
    if (expected.outcome === 'accepted') {
      expect(config.slos).toEqual([]);
      expect(ownWarnings).toHaveLength(expected.warnings.length);
      expected.warnings.forEach((warning, i) => expect(ownWarnings[i].startsWith(warning)).toBe(true));
    } else {
      expect(config.slos.map((slo) => ({ ...slo }))).toMatchObject(expected.slos);
    }
  });
});

