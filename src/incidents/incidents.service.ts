import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { ConfigHolder } from '../config/config-holder';
import { incidentIdOf } from '../common/incident-id';
import { ALERT_STATE_REPOSITORY, AlertStateRepository, StoredSloAlerts } from '../alerting/ports/alert-state.repository';
import { REMINDERS, ReminderSender, type PostmortemReminder } from '../notifiers/ports/reminders';
import type { EvaluatedCycle } from '../slo/evaluation.service';
import { sloStanding } from '../slo/budget-view';
import { serviceZone, type Zone } from '../slo/domain/zones';
import { iso, type IncidentRecord } from './domain/incident';
import { FiringPage, serviceStep, withEntries } from './domain/lifecycle';
import { remindersDue } from './domain/postmortem';
import { IncidentMetrics } from './incident-metrics';
import { IncidentNumbers } from './incident-numbers';
import { incidentUrl, postmortemPolicyOf } from './incident-view';
import { INCIDENT_REPOSITORY, IncidentRepository, StoredIncident } from './ports/incident.repository';

export interface IncidentStepReport extends Record<string, unknown> {
  opened: number;
  updated: number;
  resolved: number;
  /** changes another replica had made first (compare-and-set lost twice: left to the next cycle) */
  conflicts: number;
  /** postmortem and action-item reminders recorded now */
  reminders: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The incidents step of every cycle (SPEC §13), after the alerting step: from the committed page
 * alerts of each service and its zone, opens, joins and resolves its incident (compare-and-set, so
 * of several replicas one records each change; a replica that loses re-reads and retries once, else
 * leaves it to the next cycle), computes the numbers (`startedAt` at open, the budget at resolve),
 * and asks for the reminders of overdue postmortems and action items.
 *
 * A service whose page alerts or open incident cannot be read (a malformed stored value) fails
 * alone: its incident is left as it is, the others are kept, and the step then throws naming it.
 */
@Injectable()
export class IncidentsService {
  private readonly logger = new Logger('Incidents');
  /** reminder keys already handed to REMINDERS by this replica (it records each once, ever) */
  private readonly reminded = new Set<string>();
  private remindersMissingLogged = false;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(ALERT_STATE_REPOSITORY) private readonly alerts: AlertStateRepository,
    @Inject(INCIDENT_REPOSITORY) private readonly incidents: IncidentRepository,
    private readonly numbers: IncidentNumbers,
    private readonly metrics: IncidentMetrics,
    @Optional() @Inject(REMINDERS) private readonly reminders: ReminderSender | null = null,
  ) {}

  async step(cycle: EvaluatedCycle): Promise<IncidentStepReport> {
    const { nowMs } = cycle;
    const config = this.config.current;
    const report: IncidentStepReport = { opened: 0, updated: 0, resolved: 0, conflicts: 0, reminders: 0 };
    const [stored, open] = await Promise.all([this.alerts.loadAll(), this.incidents.listOpen()]);
    const failures: string[] = [];
    const { pages, unsure } = firingPages(stored, (id) => this.config.slo(id)?.service);
    const openByService = new Map<string, StoredIncident>();
    for (const entry of open) {
      if (entry.unreadable !== undefined) {
        if (entry.service !== null) unsure.set(entry.service, entry.unreadable);
        else failures.push(entry.unreadable);
      } else openByService.set(entry.incident!.service, entry);
    }
    for (const [service, why] of unsure.entries()) failures.push(`${service}: ${why}`);
    const services = new Set([...pages.keys(), ...openByService.keys()]);
    const zones = serviceZones(cycle, config, services);
    for (const service of services) {
      if (unsure.has(service)) continue;
      try {
        await this.stepService(service, pages.get(service) ?? [], openByService.get(service) ?? null, zones.get(service) ?? null, config, nowMs, report);
      } catch (error) {
        failures.push(`${service}: ${messageOf(error)}`);
      }
    }
    try {
      report.reminders = await this.remind(config, nowMs);
    } catch (error) {
      failures.push(`reminders: ${messageOf(error)}`);
    }
    if (failures.length > 0) throw new Error(`incidents step incomplete (${failures.slice(0, 10).join('; ')}); other services were kept: ${JSON.stringify(report)}`);
    return report;
  }

  private async stepService(
    service: string,
    pages: FiringPage[],
    open: StoredIncident | null,
    zone: Zone | null,
    config: AppConfig,
    nowMs: number,
    report: IncidentStepReport,
  ): Promise<void> {
    const policy = postmortemPolicyOf(config);
    let current = open;
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = serviceStep({ service, nowMs, pages, open: current?.incident ?? null, zone, policy, idOf: incidentIdOf });
      if (outcome.kind === 'open') {
        const incident = await this.numbers.withStartedAt(outcome.incident, nowMs);
        if (await this.incidents.openIfNone(incident, nowMs)) {
          report.opened++;
          this.logger.log({ incident: { id: incident.id, service, detectedAt: iso(incident.detectedAtMs), slo: incident.pages[0].slo } }, 'incident opened');
          return;
        }
        current = (await this.incidents.listOpen()).find((s) => s.service === service && s.incident !== null) ?? null;
        if (!current) return; // its id is stored already: resolved by another replica meanwhile
        continue;
      }
      if (!current) return;
      let next: IncidentRecord = outcome.kind === 'update' ? outcome.incident : current.incident!;
      if (next.startedAtMs === null && next.state === 'open') next = await this.numbers.withStartedAt(next, nowMs);
      const resolved = outcome.kind === 'update' && outcome.resolved;
      if (resolved) next = await this.numbers.withResolveNumbers(next, policy, nowMs);
      if (next === current.incident) return; // nothing changed, nothing found
      if (await this.incidents.update(next, current.version, nowMs)) {
        if (resolved) {
          report.resolved++;
          this.metrics.resolved(next);
          this.logger.log(
            { incident: { id: next.id, service, timeToDetect: next.timeToDetect, timeToResolve: next.timeToResolve, slos: next.slos, postmortemRequired: next.postmortem.required } },
            'incident resolved',
          );
        } else report.updated++;
        return;
      }
      const reread = await this.incidents.get(current.id);
      if (!reread?.incident || reread.incident.state === 'resolved') return; // another replica resolved it
      current = reread;
    }
    report.conflicts++;
  }

  /** Reminders of the postmortems and action items overdue now (SPEC §6): each key once, ever. */
  private async remind(config: AppConfig, nowMs: number): Promise<number> {
    const pending = await this.incidents.listFollowUps();
    const due: PostmortemReminder[] = [];
    const byId = new Map<string, StoredIncident>();
    for (const entry of pending) {
      if (!entry.incident) continue; // malformed: named where it is read by id or listed
      for (const r of remindersDue(entry.incident, nowMs)) {
        if (this.reminded.has(r.key)) continue;
        byId.set(entry.id, entry);
        due.push({ key: r.key, incidentId: entry.id, service: entry.incident.service, what: r.what, title: r.title, owner: r.owner, dueAt: iso(r.dueAtMs), url: incidentUrl(config, entry.id) });
      }
    }
    if (due.length === 0) return 0;
    if (!this.reminders) {
      if (!this.remindersMissingLogged) this.logger.warn('postmortem reminders are due but no reminder sender is wired: none is sent');
      this.remindersMissingLogged = true;
      return 0;
    }
    const recorded = await this.reminders.remind(due, nowMs);
    for (const r of due) this.reminded.add(r.key);
    for (const id of new Set(recorded.map((key) => key.split('/')[0]))) {
      const entry = byId.get(id)!;
      const keys = recorded.filter((key) => key.startsWith(`${id}/`));
      const what = keys.map((key) => (key.endsWith('/postmortem') ? 'postmortem overdue: reminder sent' : `action item ${Number(key.split('/').pop()) + 1} overdue: reminder sent`));
      const next = { ...entry.incident!, timeline: withEntries(entry.incident!.timeline, what.map((w) => ({ atMs: nowMs, what: w }))) };
      await this.incidents.update(next, entry.version, nowMs).catch(() => false); // best effort: the reminder itself is recorded
    }
    return recorded.length;
  }
}

/** The page alerts firing now, by service; services with an SLO whose alert state is unreadable are `unsure` (named). */
function firingPages(stored: readonly StoredSloAlerts[], serviceOf: (slo: string) => string | undefined): { pages: Map<string, FiringPage[]>; unsure: Map<string, string> } {
  const pages = new Map<string, FiringPage[]>();
  const unsure = new Map<string, string>();
  for (const entry of stored) {
    const service = serviceOf(entry.slo) ?? entry.about?.service ?? null;
    if (entry.unreadable !== undefined) {
      if (service !== null) unsure.set(service, entry.unreadable);
      continue;
    }
    if (service === null) continue;
    for (const state of entry.states) {
      if (state.kind !== 'burn-rate' || state.severity !== 'page' || state.state !== 'firing' || state.since === null) continue;
      const list = pages.get(service) ?? [];
      list.push({ slo: entry.slo, service, sinceMs: state.since, rule: state.rule });
      pages.set(service, list);
    }
  }
  return { pages, unsure };
}

/** The zone of each service (the worst of its SLOs'), from this cycle's records. */
function serviceZones(cycle: EvaluatedCycle, config: AppConfig, services: ReadonlySet<string>): Map<string, Zone> {
  const bySlo = new Map<string, Zone[]>();
  cycle.slos.forEach((slo, i) => {
    if (!services.has(slo.service)) return;
    const zones = bySlo.get(slo.service) ?? [];
    zones.push(sloStanding(slo, cycle.records[i] ?? null, config, cycle.nowMs).zone);
    bySlo.set(slo.service, zones);
  });
  return new Map([...bySlo].map(([service, zones]) => [service, serviceZone(zones)]));
}
