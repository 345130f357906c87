import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { AppConfig, ConfigError, ConfigProblem } from './app-config';
import { configErrorMap, formatPath, joinPath, scrub, zodProblems } from './config.problems';
import { SECTION_SCHEMAS, SloSchema } from './config.schema';
import { type Fragment, mergeFragments } from './config.merge';
import { type PathSegment, substituteTree } from './env-substitution';
import {
  applyPrometheusSource,
  collectOpenSlo,
  convertOpenSloDocuments,
  relocateProblem,
  scrubExplanations,
  type OpenSloDocument,
  type OpenSloExplanation,
} from './openslo';

/** The bundled example config, from `src/config/` (ts-jest) as from `dist/config/` (build). */
export const BUNDLED_CONFIG_PATH = path.resolve(__dirname, '..', '..', 'config', 'example.yaml');

export interface LoadConfigOptions {
  /** a YAML file, or a directory whose `*.yaml` / `*.yml` files are all read; default the bundled example */
  path?: string;
  /** the environment for `${VAR}` references and the server overrides (usually `process.env`) */
  env: Record<string, string | undefined>;
}

const TOP_LEVEL_KEYS = ['slos', ...Object.keys(SECTION_SCHEMAS)];
/** keys whose string values are secrets: scrubbed out of every message */
const SECRET_KEYS = new Set(['routingKey', 'webhookUrl', 'token', 'password', 'sentinelPassword', 'redisUrl', 'headers', 'url']);

/**
 * Reads, validates and normalises the configuration (SPEC §2, §3). Throws {@link ConfigError}
 * with every problem found (file, path inside it, message); never returns a partial config.
 * Messages and warnings never contain secret values.
 */
export function loadConfig(options: LoadConfigOptions): AppConfig {
  return loadConfigWithExplanations(options).config;
}

/** {@link loadConfig}, with what each OpenSLO SLO became (`slo-engine validate --explain`). */
export function loadConfigWithExplanations(options: LoadConfigOptions): { config: AppConfig; explanations: OpenSloExplanation[] } {
  const target = options.path ?? BUNDLED_CONFIG_PATH;
  const problems: ConfigProblem[] = [];
  const secrets = new Set<string>();
  const fragments: Fragment[] = [];
  const openSlo: OpenSloDocument[] = [];

  const files = listConfigFiles(target, problems);
  for (const file of files) {
    readConfigFile(file, options.env, { problems, secrets, fragments, openSlo });
  }

  const converted = convertOpenSloDocuments(openSlo);
  problems.push(...converted.problems);
  for (const slo of converted.slos) {
    const fragment = emptyFragment(slo.file, slo.path);
    const parsed = SloSchema.safeParse(slo.value, { errorMap: configErrorMap });
    if (parsed.success) fragment.slos.push({ path: [], value: parsed.data });
    else problems.push(...zodProblems(parsed.error, slo.file, []).map((p) => relocateProblem({ ...p, path: joinPath(slo.path, p.path) }, converted.slos)));
    fragments.push(fragment);
  }
  const sourceWarnings = applyPrometheusSource(fragments, converted.prometheusSource, emptyFragment);

  const { config, problems: mergeProblems } = mergeFragments(fragments, options.env, files);
  problems.push(...mergeProblems.map((p) => relocateProblem(p, converted.slos)));

  const secretList = [...secrets].sort((a, b) => b.length - a.length);
  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ ...p, message: scrub(p.message, secretList) })));
  }
  config.warnings = [...config.warnings, ...converted.warnings, ...sourceWarnings].map((w) => scrub(w, secretList));
  return { config, explanations: scrubExplanations(converted.explanations, (text) => scrub(text, secretList)) };
}

/** A file as is; a directory: its `*.yaml` / `*.yml` files (not hidden ones), sorted by name, non-recursive. */
export function listConfigFiles(target: string, problems: ConfigProblem[]): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    problems.push({ file: target, path: '', message: `cannot read: ${describeFsError(err)}` });
    return [];
  }
  if (!stat.isDirectory()) return [target];
  const files = fs
    .readdirSync(target)
    .filter((name) => /\.ya?ml$/i.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(target, name))
    .filter((file) => {
      try {
        return fs.statSync(file).isFile(); // follows symlinks (Kubernetes ConfigMap mounts)
      } catch {
        return false;
      }
    });
  if (files.length === 0) problems.push({ file: target, path: '', message: 'no *.yaml or *.yml files in this directory' });
  return files;
}

interface Collector {
  problems: ConfigProblem[];
  secrets: Set<string>;
  fragments: Fragment[];
  openSlo: OpenSloDocument[];
}

function readConfigFile(file: string, env: Record<string, string | undefined>, out: Collector): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    out.problems.push({ file, path: '', message: `cannot read: ${describeFsError(err)}` });
    return;
  }
  const docs = Array.from(parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true }));
  const parsed = docs.map((doc) => {
    if (doc.errors.length > 0) return { errors: doc.errors.map((e) => `YAML syntax error: ${syntaxMessage(e)}`) };
    try {
      const value: unknown = doc.toJS({ maxAliasCount: 1000 });
      return value === null || value === undefined ? null : { errors: [], value };
    } catch (err) {
      return { errors: [`YAML error: ${(err as Error).message.split('\n')[0]}`] };
    }
  });
  const nonEmpty = parsed.filter((doc) => doc !== null).length;
  if (nonEmpty === 0) {
    out.problems.push({ file, path: '', message: 'the file is empty' });
    return;
  }
  parsed.forEach((doc, index) => {
    if (doc === null) return; // an empty document (e.g. after a trailing `---`)
    const base = nonEmpty > 1 ? `documents[${index}]` : '';
    for (const message of doc.errors) out.problems.push({ file, path: base, message });
    if (doc.errors.length === 0) readDocument(file, base, doc.value, env, out);
  });
}

function readDocument(file: string, base: string, raw: unknown, env: Record<string, string | undefined>, out: Collector): void {
  const sub = substituteTree(raw, env);
  for (const value of sub.substituted) if (value.length >= 8) out.secrets.add(value);
  collectSecrets(sub.value, false, out.secrets);
  const envPaths = sub.problems.map((p) => formatPath(p.path));
  for (const p of sub.problems) out.problems.push({ file, path: joinPath(base, formatPath(p.path)), message: p.message });
  // a value broken by a missing variable gets one problem, not a second one from the schema
  const report = (problems: ConfigProblem[]): void => {
    for (const p of problems) {
      if (!envPaths.some((e) => p.path === e || p.path.startsWith(`${e}.`) || p.path.startsWith(`${e}[`))) {
        out.problems.push({ ...p, path: joinPath(base, p.path) });
      }
    }
  };

  const doc = sub.value;
  const openSlo = collectOpenSlo(file, base, doc, envPaths); // one OpenSLO document, or a YAML list of them
  if (openSlo) {
    out.openSlo.push(...openSlo.documents);
    out.problems.push(...openSlo.problems);
    for (const secret of openSlo.secrets) out.secrets.add(secret);
    return;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    out.problems.push({ file, path: base, message: `must be a mapping with the sections ${TOP_LEVEL_KEYS.join(', ')}` });
    return;
  }
  const fragment = emptyFragment(file, base);
  const record = doc as Record<string, unknown>;
  for (const [key, written] of Object.entries(record)) {
    fragment.present.add(key);
    // a section left empty (`server:` with every line commented out) counts as an empty one
    const value = written ?? (key === 'slos' || key === 'routes' || key === 'corrections' ? [] : {});
    if (!TOP_LEVEL_KEYS.includes(key)) {
      report([{ file, path: formatPath([key]), message: `unknown key (sections: ${TOP_LEVEL_KEYS.join(', ')})` }]);
      continue;
    }
    const parse = <T extends z.ZodTypeAny>(schema: T, input: unknown, at: PathSegment[]): z.infer<T> | undefined => {
      const result = schema.safeParse(input, { errorMap: configErrorMap });
      if (result.success) return result.data;
      report(zodProblems(result.error, file, at));
      return undefined;
    };
    const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (key === 'slos' || key === 'routes' || key === 'corrections') {
      if (!Array.isArray(value)) {
        report([{ file, path: key, message: `must be a list, not ${describeType(value)}` }]);
        continue;
      }
      value.forEach((item, i) => {
        if (key === 'slos') {
          const slo = parse(SloSchema, item, [key, i]);
          if (slo) fragment.slos.push({ path: ['slos', i], value: slo });
        } else if (key === 'corrections') {
          const correction = parse(SECTION_SCHEMAS.corrections.element, item, [key, i]);
          if (correction) fragment.corrections.push({ index: i, value: correction });
        } else {
          const route = parse(SECTION_SCHEMAS.routes.element, item, [key, i]);
          if (route) fragment.routes.push({ index: i, value: route });
        }
      });
    } else if (key === 'notifiers') {
      if (!isMap) {
        report([{ file, path: key, message: `must be a mapping of names to notifiers, not ${describeType(value)}` }]);
        continue;
      }
      for (const [name, notifier] of Object.entries(value as Record<string, unknown>)) {
        fragment.notifierNames.push(name);
        const parsed = parse(SECTION_SCHEMAS.notifiers.element, notifier, [key, name]);
        if (parsed) fragment.notifiers[name] = parsed;
      }
    } else {
      const section = key as 'sources' | 'heartbeat' | 'policy' | 'auth' | 'server';
      (fragment as unknown as Record<string, unknown>)[section] = parse(SECTION_SCHEMAS[section], value, [key]);
    }
  }
  for (const entry of sub.defaults) {
    const [section, list, index, field] = entry.path;
    if (section === 'auth' && list === 'tokens' && typeof index === 'number' && field === 'token') {
      fragment.defaultedTokens.push(index);
    }
  }
  out.fragments.push(fragment);
}

function emptyFragment(file: string, base: string): Fragment {
  return { file, base, present: new Set(), slos: [], notifierNames: [], notifiers: {}, routes: [], corrections: [], defaultedTokens: [] };
}

/** String values under secret keys (a `headers` mapping: all its values). */
function collectSecrets(node: unknown, secret: boolean, into: Set<string>): void {
  if (typeof node === 'string') {
    if (secret && node.length >= 4) into.add(node);
  } else if (Array.isArray(node)) {
    for (const item of node) collectSecrets(item, secret, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      collectSecrets(value, secret || SECRET_KEYS.has(key), into);
    }
  }
}

function syntaxMessage(error: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const first = error.message.split('\n')[0].replace(/:$/, '');
  if (/line \d+/.test(first) || !error.linePos) return first;
  return `${first} at line ${error.linePos[0].line}, column ${error.linePos[0].col}`;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return code ?? (err as Error).message;
}

function describeType(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
