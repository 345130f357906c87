import { Injectable, Logger } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import { durationMs } from '../common/duration';
import { EvaluationService } from '../slo/evaluation.service';
import { allowedErrorRatio } from '../slo/domain/budget-math';
import { IncidentRecord, pagedFirst, PostmortemPolicy } from './domain/incident';
import { budgetConsumed, withResolveNumbers, withStartedAt } from './domain/lifecycle';
import { gridInstants, searchBoundMs, searchInstants, SEARCH_WINDOW, startedAtFrom } from './domain/started-at';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** How long the reads of one incident's numbers may take, at most. */
const READ_DEADLINE_MS = 20_000;

/**
 * The numbers of SPEC §4 (Incidents) read through each SLO's metrics source: `startedAt` by the
 * search back from `detectedAt` (run when the incident opens, while the store still holds the
 * onset at its finest precision; retried each cycle while it could not run), and at resolve each
 * SLO's `budgetConsumed`. What cannot be read is left null and logged; nothing here throws.
 */
@Injectable()
export class IncidentNumbers {
  private readonly logger = new Logger('Incidents');

  constructor(
    private readonly config: ConfigHolder,
    private readonly evaluation: EvaluationService,
  ) {}

  /** The incident with `startedAt` found (SPEC §4), or unchanged when the search cannot run. */
  async withStartedAt(incident: IncidentRecord, nowMs: number): Promise<IncidentRecord> {
    const slo = this.config.slo(pagedFirst(incident));
    if (!slo) return incident; // the SLO left the config: nothing to read its data with
    const rule = incident.pages[0].rule;
    const boundMs = searchBoundMs(rule ? safeDurationMs(rule.long) : null);
    const instants = this.evaluation.readsLocally(slo)
      ? searchInstants(incident.detectedAtMs, boundMs, nowMs)
      : gridInstants(incident.detectedAtMs, boundMs);
    try {
      const ratios = await this.evaluation.errorRatiosAt(slo, SEARCH_WINDOW, instants, AbortSignal.timeout(READ_DEADLINE_MS));
      return withStartedAt(incident, startedAtFrom(instants, ratios, allowedErrorRatio(slo.objective)));
    } catch (error) {
      this.logger.warn({ incident: incident.id, slo: slo.id, err: messageOf(error) }, 'cannot search when the errors of an incident began yet; retried next cycle');
      return incident;
    }
  }

  /** A resolved incident with its numbers (each SLO's budgetConsumed, the postmortem rule), computed once. */
  async withResolveNumbers(incident: IncidentRecord, policy: PostmortemPolicy, nowMs: number): Promise<IncidentRecord> {
    let current = incident.startedAtMs === null ? await this.withStartedAt(incident, nowMs) : incident;
    const consumed = new Map<string, number | null>();
    for (const { slo: id } of current.slos) consumed.set(id, await this.consumedOf(current, id));
    current = withResolveNumbers(current, consumed, policy);
    return current;
  }

  /** `max(0, remaining(startedAt) − remaining(resolvedAt))`, summed over a calendar reset; null when it cannot be read. */
  private async consumedOf(incident: IncidentRecord, id: string): Promise<number | null> {
    const slo = this.config.slo(id);
    if (!slo || incident.startedAtMs === null || incident.resolvedAtMs === null) return null;
    const deadline = AbortSignal.timeout(READ_DEADLINE_MS);
    try {
      const start = await this.evaluation.budgetAt(slo, incident.startedAtMs, deadline);
      const end = await this.evaluation.budgetAt(slo, incident.resolvedAtMs, deadline);
      let beforeReset: number | null = null;
      if (slo.calendar && start.period && end.period && start.period.startMs !== end.period.startMs) {
        beforeReset = (await this.evaluation.budgetAt(slo, end.period.startMs - 1, deadline)).remaining;
      }
      return budgetConsumed(start.remaining, end.remaining, beforeReset);
    } catch (error) {
      this.logger.warn({ incident: incident.id, slo: id, err: messageOf(error) }, 'cannot compute the budget an incident consumed; left unknown');
      return null;
    }
  }
}

function safeDurationMs(text: string): number | null {
  try {
    return durationMs(text);
  } catch {
    return null;
  }
}
