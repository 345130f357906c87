import { Inject, Injectable } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { alertKey, type AlertKey } from './domain/alert-state';
import { suppression } from './domain/notification-plan';
import { EVALUATION_REPOSITORY, EvaluationRepository } from '../slo/ports/evaluation.repository';
import { silenceCovers } from './domain/silence-match';
import { SilenceService } from './silences/silence.service';
import { ALERT_STATE_REPOSITORY, AlertStateRepository } from './ports/alert-state.repository';
import { parseRuleKey, UNKNOWN } from './alert-message';
import type { NotificationMessage } from '../notifiers/ports/notification-message';
import type { BudgetAlert, FiringAlertsReader } from '../slo/ports/firing-alerts';

/** One firing alert as `GET /v1/alerts` lists it (SPEC §5), plus `inhibited` and `removed`. */
export interface FiringAlert {
  slo: string;
  service: string;
  severity: 'page' | 'ticket';
  kind: 'burn-rate' | 'source-unavailable';
  state: 'firing';
  since: string;
  /** the rule firing it; null for source-unavailable */
  rule: NotificationMessage['rule'];
  /** the burn rates of the SLO's last successful evaluation; null when never evaluated */
  burnRates: Record<string, number> | null;
  /** under an active silence: listed, not notified */
  silenced: boolean;
  /** a burn-rate ticket while the page of its SLO fires: listed, not notified */
  inhibited: boolean;
  /**
   * the SLO is no longer in the config (removed while the service was down, or not in this
   * replica's config during a rollout): listed until its resolve is recorded
   */
  removed: boolean;
}

const SEVERITY_ORDER = { page: 0, ticket: 1 } as const;

/**
 * Read side of alerting: the firing alerts from the shared alert state, for `GET /v1/alerts` and,
 * as the budget read model's `FiringAlertsReader`, for the `alerts` of budget objects.
 */
@Injectable()
export class AlertQueryService implements FiringAlertsReader {
  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ALERT_STATE_REPOSITORY) private readonly store: AlertStateRepository,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    private readonly silences: SilenceService,
  ) {}

  /**
   * Firing alerts, pages first, then tickets, oldest first: those of configured SLOs, and those of
   * SLOs the config no longer has until their resolve is recorded (`removed`, with what was stored
   * of the SLO). An SLO whose stored alert state is malformed is left out: the alerting step
   * reports it every cycle (and the heartbeat stops) until it is repaired.
   */
  async firing(): Promise<FiringAlert[]> {
    const nowMs = this.clock.now();
    const [stored, silences] = await Promise.all([this.store.loadAll(), this.silences.activeSilences(nowMs)]);
    const readable = stored.filter((s) => s.unreadable === undefined && s.states.some((state) => state.state === 'firing'));
    const records = await this.evaluations.getMany(readable.map((s) => s.slo));
    const out: FiringAlert[] = [];
    readable.forEach(({ slo: id, states, about }, i) => {
      const slo = this.config.slo(id);
      const service = slo?.service ?? about?.service ?? UNKNOWN;
      const silenced = silences.some((s) => silenceCovers(s, { slo: id, service }, nowMs));
      const silencedKeys = new Set<AlertKey>(silenced ? states.map((s) => alertKey(s.slo, s.kind, s.severity)) : []);
      for (const state of states) {
        if (state.state !== 'firing') continue;
        const why = suppression(state, alertKey(state.slo, state.kind, state.severity), states, silencedKeys);
        out.push({
          slo: id,
          service,
          severity: state.severity,
          kind: state.kind,
          state: 'firing',
          since: new Date(state.since ?? nowMs).toISOString(),
          rule: parseRuleKey(state.rule),
          burnRates: records[i]?.numbers?.burnRates ?? null,
          silenced,
          inhibited: why === 'inhibited',
          removed: slo === undefined,
        });
      }
    });
    return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.since.localeCompare(b.since) || a.slo.localeCompare(b.slo));
  }

  /** Firing alerts by SLO, in the budget object's shape (SPEC §5); a malformed stored state is left out (see `firing`). */
  async firingBySlo(): Promise<Map<string, BudgetAlert[]>> {
    const out = new Map<string, BudgetAlert[]>();
    for (const { slo, states } of await this.store.loadAll()) {
      const firing = states
        .filter((s) => s.state === 'firing')
        .map((s): BudgetAlert => ({ severity: s.severity, kind: s.kind, state: 'firing', since: new Date(s.since ?? 0).toISOString() }));
      if (firing.length > 0) out.set(slo, firing);
    }
    return out;
  }
}
