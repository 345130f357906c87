/**
 * The validated, normalised configuration every other module reads. Produced only by
 * `loadConfig` (config.loader.ts); nothing else parses YAML or reads `process.env` for settings.
 */
export type Severity = 'page' | 'ticket';

export interface AlertRule {
  severity: Severity;
  burnRate: number;
  /** window strings as written in the config (`1h`), and their milliseconds */
  long: string;
  short: string;
  longMs: number;
  shortMs: number;
}

export type SliConfig =
  | { source: 'events' }
  | {
      source: 'prometheus';
      /** exactly one of errorQuery / goodQuery is set */
      errorQuery?: string;
      goodQuery?: string;
      totalQuery: string;
    };

export const CALENDAR_UNITS = ['week', 'month', 'quarter'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

/** A calendar window (SPEC §4): the budget runs from the current period's start in `timeZone`. */
export interface CalendarWindow {
  unit: CalendarUnit;
  /** IANA time zone name, e.g. `Europe/Paris`; `UTC` by default */
  timeZone: string;
}

export interface SloConfig {
  id: string;
  service: string;
  team?: string;
  description?: string;
  objective: number; // percent, 0 < objective < 100
  /** a rolling window as written (default "30d"), or a calendar window's unit (`month`) */
  window: string;
  /** the rolling window's length; for a calendar window, its longest period (retention, sizing) */
  windowMs: number;
  /** set for a calendar window (`window: {calendar, timeZone}`) */
  calendar?: CalendarWindow;
  sli: SliConfig;
  runbook?: string;
  labels: Record<string, string>;
  alerting: {
    minEvents: number;
    /** the rules in force: the SLO's own, or the default table minus rules longer than the window */
    rules: AlertRule[];
    /** true when `rules` came from the default table */
    defaultRules: boolean;
  };
  /** file the SLO was defined in (for messages) */
  file: string;
}

/** A correction as parsed (SPEC §4): `[start, start + duration)`, repeated daily or weekly from start. */
export interface CorrectionSpec {
  /** exactly one of slo / service (`"*"`: every service) */
  slo?: string;
  service?: string;
  startMs: number;
  durationMs: number;
  repeat: 'daily' | 'weekly' | null;
  reason: string;
}

/** A correction of the config file: listed with `source: config`, never deleted through the API. */
export interface ConfiguredCorrection extends CorrectionSpec {
  /** stable across replicas and restarts: derived from the correction's fields */
  id: string;
}

export type NotifierConfig =
  | { name: string; type: 'pagerduty'; routingKey: string; url?: string; changeEvents: boolean }
  | { name: string; type: 'slack'; webhookUrl: string }
  | { name: string; type: 'log' };

export interface RouteConfig {
  match: Record<string, string>;
  notify: string[];
  repeatInterval?: string;
  repeatIntervalMs?: number;
}

export type Scope = 'read' | 'gate' | 'ingest' | 'admin';

export interface TokenConfig {
  name: string;
  token: string;
  scopes: Scope[];
}

export interface RedisSentinelConfig {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  password?: string;
  sentinelPassword?: string;
}

export interface RedisClusterConfig {
  nodes: Array<{ host: string; port: number }>;
  password?: string;
}

export interface ServerConfig {
  port: number;
  host: string;
  redisUrl?: string;
  redisPrefix: string;
  evaluationInterval: string;
  evaluationIntervalMs: number;
  logLevel: string;
  corsOrigins: string[];
  /** base URL for links in notifications (budget page), no trailing slash */
  externalUrl: string;
  redis?: { sentinel?: RedisSentinelConfig; cluster?: RedisClusterConfig };
}

export interface AppConfig {
  slos: SloConfig[];
  sources: {
    prometheus?: {
      url: string;
      timeoutMs: number;
      concurrency: number;
      headers: Record<string, string>;
    };
  };
  notifiers: Record<string, NotifierConfig>;
  routes: RouteConfig[];
  /** the config's `corrections:` (those created through the API live in the policy state) */
  corrections: ConfiguredCorrection[];
  heartbeat?: { url: string; interval: string; intervalMs: number };
  policy: {
    zones: { caution: number; freeze: number };
    onUnknown: 'allow' | 'deny';
    onNoData: 'unknown' | 'normal';
    /** SPEC §13: when an incident needs a postmortem, when it is due, and whether an overdue one closes the gate */
    postmortems: { budgetThreshold: number; inFreeze: boolean; due: string; gate: boolean };
  };
  auth: { publicRead: boolean; tokens: TokenConfig[] };
  server: ServerConfig;
  /** warnings worth logging at start and printing in `validate` (no secrets in them) */
  warnings: string[];
  /** files the config was read from */
  files: string[];
}

/** A single config problem: file, path inside it (`slos[2].objective`), what is wrong. */
export interface ConfigProblem {
  file: string;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.path || '(root)'}: ${p.message}`;
}
