import { Inject, Injectable } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import type { AlertRule, CalendarUnit, SliConfig, SloConfig } from '../config/app-config';
import { CLOCK, Clock } from '../common/clock';
import { NotFoundError, ValidationError } from '../common/domain-error';
import { EVALUATION_REPOSITORY, EvaluationRepository } from './ports/evaluation.repository';
import { BudgetObject, sloStanding, SloStanding, toBudgetObject } from './budget-view';
import { STATE_INTEGRITY, StateIntegrity } from '../common/state-integrity';
import { FIRING_ALERTS, FiringAlertsReader, type BudgetAlert } from './ports/firing-alerts';

export const MAX_PAGE = 1000;

export interface SloPage {
  slos: BudgetObject[];
  nextCursor: string | null;
}

/** An SLO as configured, as `GET /v1/slos/{id}` shows it (nothing secret, internal fields dropped). */
export interface SloDefinition {
  id: string;
  service: string;
  team: string | null;
  description: string | null;
  objective: number;
  window: string | { calendar: CalendarUnit; timeZone: string };
  sli: SliConfig;
  runbook: string | null;
  labels: Record<string, string>;
  alerting: {
    minEvents: number;
    defaultRules: boolean;
    rules: Array<Pick<AlertRule, 'severity' | 'burnRate' | 'long' | 'short'>>;
  };
}

/** Read side: budget objects from the latest evaluations; nothing is evaluated here (history: `SloHistoryService`). */
@Injectable()
export class SloQueryService {
  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    @Inject(FIRING_ALERTS) private readonly alerts: FiringAlertsReader,
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
  ) {}

  async list(query: { service?: string; limit: number; cursor?: string }): Promise<SloPage> {
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const matching = [...this.config.current.slos]
      .filter((slo) => query.service === undefined || slo.service === query.service)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter((slo) => after === null || slo.id > after);
    const page = matching.slice(0, query.limit);
    const more = matching.length > page.length;
    return {
      slos: await this.budgets(page),
      nextCursor: more && page.length > 0 ? encodeCursor(page[page.length - 1].id) : null,
    };
  }

  async budget(id: string): Promise<BudgetObject> {
    const [budget] = await this.budgets([this.sloOrThrow(id)]);
    return budget;
  }

  async detail(id: string): Promise<{ definition: SloDefinition; budget: BudgetObject }> {
    const slo = this.sloOrThrow(id);
    return { definition: definitionOf(slo), budget: await this.budget(id) };
  }

  private sloOrThrow(id: string): SloConfig {
    const slo = this.config.slo(id);
    if (!slo) throw new NotFoundError(`unknown SLO "${id}"`);
    return slo;
  }

  /**
   * Budget objects of these SLOs from their latest evaluations (zone staleness applied now), with
   * their firing alerts unless `withAlerts` is false (the deploy gate does not show them).
   */
  async budgets(slos: readonly SloConfig[], withAlerts = true): Promise<BudgetObject[]> {
    const config = this.config.current;
    const now = this.clock.now();
    const [records, firing, loss] = await Promise.all([
      this.evaluations.getMany(slos.map((slo) => slo.id)),
      withAlerts ? this.alerts.firingBySlo() : Promise.resolve(new Map<string, BudgetAlert[]>()),
      this.integrity.check(now),
    ]);
    return slos.map((slo, i) => toBudgetObject(slo, records[i], config, now, firing.get(slo.id), loss?.lostAtMs ?? null));
  }

  /** Zone and budget of these SLOs from their latest evaluations (the deploy gate's inputs). */
  async standings(slos: readonly SloConfig[]): Promise<SloStanding[]> {
    const config = this.config.current;
    const records = await this.evaluations.getMany(slos.map((slo) => slo.id));
    const now = this.clock.now();
    return slos.map((slo, i) => sloStanding(slo, records[i], config, now));
  }
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[a-z0-9-]{1,128}$/.test(id)) {
    throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this API' }]);
  }
  return id;
}

/** The SLO as configured, without anything secret (SLOs hold no secrets; internal fields dropped). */
function definitionOf(slo: SloConfig): SloDefinition {
  return {
    id: slo.id,
    service: slo.service,
    team: slo.team ?? null,
    description: slo.description ?? null,
    objective: slo.objective,
    window: slo.calendar ? { calendar: slo.calendar.unit, timeZone: slo.calendar.timeZone } : slo.window,
    sli: slo.sli,
    runbook: slo.runbook ?? null,
    labels: slo.labels,
    alerting: {
      minEvents: slo.alerting.minEvents,
      defaultRules: slo.alerting.defaultRules,
      rules: slo.alerting.rules.map((r) => ({ severity: r.severity, burnRate: r.burnRate, long: r.long, short: r.short })),
    },
  };
}
