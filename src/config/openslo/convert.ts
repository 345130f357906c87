import type { ConfigProblem } from '../app-config';
import { joinPath } from '../config.problems';
import { DocumentIndex, duplicateNames } from './documents';
import { Field, type TrackedDocument } from './field';
import { describeLocation, ignoredKeys, meaningfulIgnoredKeys } from './explain';
import { mapConditionSpec, mapPolicySpec } from './alert-mapping';
import { mapSliSpec } from './sli-mapping';
import { mapSlo } from './slo-mapping';
import { readDataSources } from './data-sources';
import { Findings, Report } from './report';
import type { MappingContext } from './context';
import type { ConvertedSlo, OpenSloConversion, OpenSloDocument, OpenSloExplanation } from './types';

/**
 * All OpenSLO documents of all files at once (an SLO references SLI, AlertPolicy, AlertCondition…
 * documents of any file) → native SLOs in the shape of the config's `slos[]` entries, which the
 * loader validates like any other SLO (SPEC §3). Never throws, whatever the documents hold.
 */
export function convertOpenSloDocuments(docs: OpenSloDocument[]): OpenSloConversion {
  const problems: ConfigProblem[] = [];
  const index = new DocumentIndex(docs, problems);
  const findings = new Findings(brokenLocations(docs));
  const reached = new Set<TrackedDocument>();
  const slos: ConvertedSlo[] = [];
  const explanations: OpenSloExplanation[] = [];

  const duplicates = new Report();
  duplicateNames(index, duplicates);
  for (const note of duplicates.notes) findings.warning(note);

  const sloOwner = new Map<string, TrackedDocument>();
  for (const doc of index.ofKind('SLO')) {
    const first = sloOwner.get(doc.name);
    if (first) {
      findings.problem({
        ...Field.root(doc).get('metadata').get('name').location,
        message: `duplicate SLO "${doc.name}": also defined in ${first.file} ${first.path || '(root)'}`,
      });
      continue;
    }
    sloOwner.set(doc.name, doc);
    const ctx: MappingContext = { index, report: new Report(), forSlo: true, reached: new Set([doc]) };
    const mapped = mapSlo(doc, ctx);
    for (const refusal of ctx.report.refusals) findings.problem(refusal, inside(refusal, doc) ? undefined : doc.name);
    for (const note of ctx.report.notes) findings.warning(note);
    for (const used of ctx.reached) reached.add(used);
    if (!mapped || ctx.report.refusals.length > 0 || index.badSloNames.has(doc)) continue;

    slos.push({ file: doc.file, path: doc.path, value: mapped.slo, origins: mapped.origins });
    const explained = [...ctx.reached].filter((d) => d.kind !== 'DataSource' && d.kind !== 'AlertNotificationTarget');
    const ignored = explained.flatMap(ignoredKeys);
    explanations.push({ file: doc.file, path: doc.path, name: doc.name, document: doc.value, slo: mapped.slo, ignored });
    const meaningful = meaningfulIgnoredKeys(ignored);
    if (meaningful.length > 0) {
      findings.warning({
        file: doc.file,
        path: doc.path,
        message: `SLO "${doc.name}": keys not used by the engine: ${meaningful.map((k) => describeLocation(k, doc.file)).join(', ')} (slo-engine validate --explain lists every ignored key)`,
      });
    }
  }

  for (const doc of index.ofKind('AlertNotificationTarget')) {
    findings.warning({
      ...Field.root(doc).location,
      message: `AlertNotificationTarget "${doc.name}" ignored: notifications go where the native config's routes send them`,
    });
  }
  checkUnused(index, reached, findings);
  const prometheusSource = readDataSources(index, reached, findings);

  return {
    slos,
    problems: [...problems, ...findings.problemList()].sort(
      (a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path, 'en', { numeric: true }),
    ),
    warnings: findings.warningList(),
    explanations,
    ...(prometheusSource ? { prometheusSource } : {}),
  };
}

/**
 * SLI, AlertPolicy and AlertCondition documents no SLO uses are accepted; what the engine could
 * not run in them (and their dangling references) is a warning.
 */
function checkUnused(index: DocumentIndex, reached: Set<TrackedDocument>, findings: Findings): void {
  const checked = new Set(reached);
  for (const doc of index.documents) {
    if (checked.has(doc) || !['SLI', 'AlertPolicy', 'AlertCondition'].includes(doc.kind)) continue;
    const ctx: MappingContext = { index, report: new Report(), forSlo: false, reached: checked };
    checked.add(doc);
    const spec = Field.root(doc).get('spec');
    if (doc.kind === 'SLI') mapSliSpec(spec, ctx);
    else if (doc.kind === 'AlertPolicy') mapPolicySpec(spec, ctx);
    else mapConditionSpec(spec, ctx);
    for (const refusal of ctx.report.refusals) {
      findings.warning({ ...refusal, message: `${refusal.message} (not used by any SLO, so only a warning)` });
    }
    for (const note of ctx.report.notes) findings.warning(note);
  }
}

/** Where a `${VAR}` could not be substituted (already reported by the loader). */
function brokenLocations(docs: OpenSloDocument[]): Array<{ file: string; path: string }> {
  return docs.flatMap((doc) => (doc.brokenPaths ?? []).map((p) => ({ file: doc.file, path: joinPath(doc.path, p) })));
}

/** Whether a finding lies in the document itself. */
function inside(at: { file: string; path: string }, doc: TrackedDocument): boolean {
  if (at.file !== doc.file) return false;
  return doc.path === '' || at.path === doc.path || at.path.startsWith(`${doc.path}.`) || at.path.startsWith(`${doc.path}[`);
}

/**
 * A problem the loader found in a converted SLO (`SloSchema`, or the cross-file checks: duplicate
 * id, rule window longer than the SLO window, no Prometheus source), moved to the OpenSLO field
 * the native field came from.
 */
export function relocateProblem(problem: ConfigProblem, slos: ConvertedSlo[]): ConfigProblem {
  let best: { key: string; slo: ConvertedSlo } | undefined;
  for (const slo of slos) {
    if (slo.file !== problem.file) continue;
    for (const key of Object.keys(slo.origins)) {
      const full = joinPath(slo.path, key);
      const matches = key === '' ? slo.path !== '' && (problem.path === slo.path || startsUnder(problem.path, slo.path)) : problem.path === full || startsUnder(problem.path, full);
      if (matches && (!best || key.length > best.key.length)) best = { key, slo };
    }
  }
  if (!best) return problem;
  const origin = best.slo.origins[best.key];
  const field = best.key === '' ? problem.path.slice(best.slo.path.length).replace(/^\./, '') : best.key;
  const native = field === '' ? '' : ` (as the native ${field})`;
  return { file: origin.file, path: origin.path, message: `${problem.message}${native}${origin.hint ? `; ${origin.hint}` : ''}` };
}

const startsUnder = (path: string, base: string): boolean => path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
