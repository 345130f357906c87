import { createHash } from 'node:crypto';
import type { AlertRule, AppConfig, CalendarUnit, ConfigProblem, ConfiguredCorrection, NotifierConfig, RouteConfig, SloConfig } from './app-config';
import { formatPath, joinPath } from './config.problems';
import { AuthSchema, PolicySchema } from './config.schema';
import type {
  AuthInput,
  CorrectionSpecInput,
  HeartbeatInput,
  NotifierInput,
  PolicyInput,
  RouteInput,
  ServerInput,
  SloInput,
  SourcesInput,
} from './config.schema';
import { resolveServer } from './config.server';
import type { PathSegment } from './env-substitution';
import { defaultRulesFor } from './default-rules';
import { durationMs, formatDuration } from '../common/duration';
import { MIN_STALL_DEADLINE_MS, stallDeadlineMs } from '../common/duration-limits';

/** Sections that may appear in one file (document) only. */
export const SINGLE_SECTIONS = ['sources', 'policy', 'auth', 'server', 'heartbeat'] as const;
type SingleSection = (typeof SINGLE_SECTIONS)[number];

/** One native config document after schema validation; invalid parts are left out. */
export interface Fragment {
  file: string;
  /** path of the document inside the file: `''`, or `documents[i]` in a multi-document file */
  base: string;
  /** top-level keys present in the document, valid or not */
  present: Set<string>;
  /** valid SLOs with their path relative to `base` (`['slos', 3]`; `[]` for a converted OpenSLO document) */
  slos: Array<{ path: PathSegment[]; value: SloInput }>;
  /** notifier names written in the document, valid or not (for route checks) */
  notifierNames: string[];
  /** valid notifiers */
  notifiers: Record<string, NotifierInput>;
  /** valid routes with their index in the document's `routes` list */
  routes: Array<{ index: number; value: RouteInput }>;
  /** valid corrections with their index in the document's `corrections` list */
  corrections: Array<{ index: number; value: CorrectionSpecInput }>;
  sources?: SourcesInput;
  policy?: PolicyInput;
  auth?: AuthInput;
  server?: ServerInput;
  heartbeat?: HeartbeatInput;
  /** indexes of `auth.tokens[]` whose token came from a `${VAR:-default}` default */
  defaultedTokens: number[];
}

const at = (fragment: Fragment, segments: PathSegment[]): string => joinPath(fragment.base, formatPath(segments));
const where = (fragment: Fragment, segments: PathSegment[]): string => `${fragment.file} ${at(fragment, segments)}`;

/** Cross-file checks and normalisation into the {@link AppConfig} every module reads. */
export function mergeFragments(
  fragments: Fragment[],
  env: Record<string, string | undefined>,
  files: string[],
): { config: AppConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const problem = (fragment: Fragment, segments: PathSegment[], message: string): void => {
    problems.push({ file: fragment.file, path: at(fragment, segments), message });
  };

  // sections allowed once across all files
  const owner = new Map<SingleSection, Fragment>();
  for (const fragment of fragments) {
    for (const section of SINGLE_SECTIONS) {
      if (!fragment.present.has(section)) continue;
      const first = owner.get(section);
      if (first) {
        problem(fragment, [section], `${section} is already defined in ${where(first, [section])}; it may appear in one file only`);
      } else {
        owner.set(section, fragment);
      }
    }
  }
  const single = <K extends SingleSection>(key: K): Fragment[K] => owner.get(key)?.[key];

  const { server, problems: envProblems } = resolveServer(single('server'), env);
  problems.push(...envProblems);

  // notifiers merge; a name defined twice is an error
  const notifiers: Record<string, NotifierConfig> = {};
  const notifierOwner = new Map<string, Fragment>();
  for (const fragment of fragments) {
    for (const name of fragment.notifierNames) {
      const first = notifierOwner.get(name);
      if (first) {
        problem(fragment, ['notifiers', name], `notifier "${name}" is already defined in ${where(first, ['notifiers', name])}`);
        continue;
      }
      notifierOwner.set(name, fragment);
      const notifier = fragment.notifiers[name];
      if (notifier) notifiers[name] = { name, ...notifier } as NotifierConfig;
    }
  }

  // routes merge; every notifier named must exist
  const routes: RouteConfig[] = [];
  for (const fragment of fragments) {
    for (const { index: i, value: route } of fragment.routes) {
      route.notify.forEach((name, j) => {
        if (!notifierOwner.has(name)) problem(fragment, ['routes', i, 'notify', j], `notifier "${name}" is not defined`);
      });
      const out: RouteConfig = { match: route.match, notify: [...new Set(route.notify)] };
      if (route.repeatInterval !== undefined) {
        out.repeatInterval = route.repeatInterval;
        out.repeatIntervalMs = durationMs(route.repeatInterval);
      }
      routes.push(out);
    }
  }

  // slos: ids unique across all files
  const slos: SloConfig[] = [];
  const idOwner = new Map<string, { fragment: Fragment; path: PathSegment[] }>();
  // an invalid sources section (present, not parsed) already has its problem: no follow-up error
  const sourcesOwner = owner.get('sources');
  const prometheusConfigured = sourcesOwner !== undefined && sourcesOwner.sources?.prometheus !== undefined;
  const sourcesInvalid = sourcesOwner !== undefined && sourcesOwner.sources === undefined;
  for (const fragment of fragments) {
    for (const { path: sloPath, value: slo } of fragment.slos) {
      const label = `${at(fragment, sloPath)} (${slo.id})`;
      const first = idOwner.get(slo.id);
      if (first) {
        problem(fragment, [...sloPath, 'id'], `duplicate SLO id "${slo.id}": also defined in ${where(first.fragment, [...first.path, 'id'])}`);
        continue;
      }
      idOwner.set(slo.id, { fragment, path: sloPath });
      if (slo.sli.source === 'prometheus') {
        if (!prometheusConfigured && !sourcesInvalid) {
          problem(fragment, [...sloPath, 'sli', 'source'], 'the prometheus source is not configured (sources.prometheus)');
        }
        for (const key of ['errorQuery', 'goodQuery', 'totalQuery'] as const) {
          const query = slo.sli[key];
          if (query !== undefined && !query.includes('{{window}}')) {
            warnings.push(`${label}: sli.${key} has no {{window}} placeholder, so every window gets the same range`);
          }
        }
      }
      const calendar = typeof slo.window === 'string' ? undefined : { unit: slo.window.calendar, timeZone: slo.window.timeZone };
      const windowLabel = typeof slo.window === 'string' ? slo.window : slo.window.calendar;
      // a calendar SLO keeps two of its longest periods; its rules are bounded by its shortest period
      const windowMs = calendar ? LONGEST_PERIOD_MS[calendar.unit] : durationMs(slo.window as string);
      const ruleBoundMs = calendar ? SHORTEST_PERIOD_MS[calendar.unit] : windowMs;
      let rules: AlertRule[];
      let defaultRules: boolean;
      if (slo.alerting.rules !== undefined) {
        defaultRules = false;
        rules = slo.alerting.rules.map((rule, j) => {
          const longMs = durationMs(rule.long);
          if (longMs > ruleBoundMs) {
            const bound = calendar ? `shortest ${calendar.unit} (${formatDuration(ruleBoundMs)})` : `${windowLabel} SLO window`;
            problem(fragment, [...sloPath, 'alerting', 'rules', j, 'long'], `the ${rule.long} long window is longer than the ${bound}`);
          }
          return { ...rule, longMs, shortMs: durationMs(rule.short) };
        });
      } else {
        defaultRules = true;
        // SPEC §4: on a calendar window the default rules apply as for a 30d window
        const selection = defaultRulesFor(calendar ? durationMs('30d') : windowMs);
        rules = selection.rules;
        for (const rule of selection.omitted) {
          warnings.push(
            `${label}: default rule ${rule.severity} ${rule.burnRate}x ${rule.long}/${rule.short} left out: its long window exceeds the ${windowLabel} SLO window`,
          );
        }
      }
      const maxBurn = 100 / (100 - slo.objective);
      for (const rule of rules) {
        if (rule.burnRate > maxBurn) {
          warnings.push(
            `${label}: rule ${rule.severity} ${rule.burnRate}x ${rule.long}/${rule.short} can never fire: the highest possible burn rate of a ${slo.objective}% objective is ${round(maxBurn)}`,
          );
        }
      }
      for (const rule of rules) {
        if (rule.shortMs < server.evaluationIntervalMs) {
          warnings.push(
            `${label}: rule ${rule.severity} ${rule.burnRate}x ${rule.long}/${rule.short}: its ${rule.short} short window is shorter than the ${server.evaluationInterval} evaluation interval, so cycles skip over part of it`,
          );
        }
      }
      if (windowMs < server.evaluationIntervalMs) {
        warnings.push(`${label}: its ${windowLabel} window is shorter than the ${server.evaluationInterval} evaluation interval`);
      }
      const out: SloConfig = {
        id: slo.id,
        service: slo.service,
        objective: slo.objective,
        window: windowLabel,
        windowMs,
        sli: slo.sli,
        labels: slo.labels,
        alerting: { minEvents: slo.alerting.minEvents, rules, defaultRules },
        file: fragment.file,
      };
      if (calendar) out.calendar = calendar;
      if (slo.team !== undefined) out.team = slo.team;
      if (slo.description !== undefined) out.description = slo.description;
      if (slo.runbook !== undefined) out.runbook = slo.runbook;
      slos.push(out);
    }
  }

  const corrections = mergeCorrections(fragments, slos, problem);

  const sources = single('sources');
  const policy = single('policy');
  const auth = single('auth') ?? AuthSchema.parse({});
  const heartbeat = single('heartbeat');

  const authFragment = owner.get('auth');
  const devTokens = (authFragment?.defaultedTokens ?? []).map((i) => auth.tokens[i]?.name).filter((n) => n !== undefined);
  if (devTokens.length > 0) {
    warnings.push(
      `development tokens in use: ${devTokens.join(', ')} (their \${VAR:-default} defaults apply; set the variables for production)`,
    );
  }
  if (auth.tokens.length === 0) warnings.push('no auth tokens configured: gate, ingest and admin endpoints answer 401');
  if (slos.length === 0) warnings.push('no SLOs configured');
  if (routes.length === 0 && slos.length > 0) warnings.push('no routes configured: alerts are evaluated but not notified');

  const config: AppConfig = {
    slos,
    sources: {},
    notifiers,
    routes,
    corrections,
    policy: policy ?? PolicySchema.parse({}),
    auth: { publicRead: auth.publicRead, tokens: auth.tokens },
    server,
    warnings,
    files,
  };
  if (sources?.prometheus) {
    const { url, timeout, concurrency, headers } = sources.prometheus;
    const timeoutMs = durationMs(timeout);
    // SPEC §3, §12: a query must end before the cycle waiting for it is abandoned as stalled.
    const stallMs = stallDeadlineMs(server.evaluationIntervalMs);
    if (timeoutMs >= stallMs && sourcesOwner) {
      problem(
        sourcesOwner,
        ['sources', 'prometheus', 'timeout'],
        `must be shorter than the stall deadline, max(2 × evaluation interval, ${MIN_STALL_DEADLINE_MS / 1000}s) = ${formatDuration(stallMs)} with the ${server.evaluationInterval} evaluation interval (got ${timeout})`,
      );
    }
    config.sources.prometheus = { url, timeoutMs, concurrency, headers };
  }
  if (heartbeat) config.heartbeat = { ...heartbeat, intervalMs: durationMs(heartbeat.interval) };
  return { config, problems };
}

const DAY_MS = 86_400_000;
/** Longest period of each calendar unit (daylight-saving days included): the nominal `windowMs`. */
export const LONGEST_PERIOD_MS: Record<CalendarUnit, number> = { week: 7 * DAY_MS + 3_600_000, month: 31 * DAY_MS + 3_600_000, quarter: 92 * DAY_MS + 3_600_000 };
/** Shortest period: a rule's long window may not exceed it. */
const SHORTEST_PERIOD_MS: Record<CalendarUnit, number> = { week: 7 * DAY_MS - 3_600_000, month: 28 * DAY_MS - 3_600_000, quarter: 90 * DAY_MS - 3_600_000 };

/** The config's corrections: each names an SLO or service that exists; ids derived from the fields. */
function mergeCorrections(
  fragments: Fragment[],
  slos: SloConfig[],
  problem: (fragment: Fragment, segments: PathSegment[], message: string) => void,
): ConfiguredCorrection[] {
  const sloIds = new Set(slos.map((slo) => slo.id));
  const services = new Set(slos.map((slo) => slo.service));
  const byId = new Map<string, ConfiguredCorrection>();
  for (const fragment of fragments) {
    for (const { index, value } of fragment.corrections) {
      if (value.slo !== undefined && !sloIds.has(value.slo)) {
        problem(fragment, ['corrections', index, 'slo'], `SLO "${value.slo}" is not defined`);
        continue;
      }
      if (value.service !== undefined && value.service !== '*' && !services.has(value.service)) {
        problem(fragment, ['corrections', index, 'service'], `no SLO has the service "${value.service}"`);
        continue;
      }
      const id = `config-${createHash('sha256').update(JSON.stringify([value.slo ?? null, value.service ?? null, value.startMs, value.durationMs, value.repeat, value.reason])).digest('hex').slice(0, 16)}`;
      byId.set(id, { id, ...value });
    }
  }
  return [...byId.values()];
}

const round = (n: number): string => String(Math.round(n * 100) / 100);
