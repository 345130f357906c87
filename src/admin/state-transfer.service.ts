import { Inject, Injectable, Logger } from '@nestjs/common';
import { ALERT_STATE_REPOSITORY, AlertStateRepository, SloAlertChange } from '../alerting/ports/alert-state.repository';
import { SILENCE_REPOSITORY, SilenceRepository } from '../alerting/silences/silence';
import { ADMIN_AUDIT, AdminAuditEntry, AdminAuditLog } from '../common/admin-audit';
import { CLOCK, Clock } from '../common/clock';
import { parseInput } from '../common/parse-input';
import { STATE_INTEGRITY, StateIntegrity } from '../common/state-integrity';
import { Delivery, OUTBOX, Outbox } from '../notifiers/ports/outbox';
import { AUDIT_LIMITS, DeployRecord, POLICY_STATE, PolicyStateRepository } from '../policies/ports/policy-state.repository';
import { CORRECTION_REPOSITORY, CorrectionRepository } from '../policies/ports/correction.repository';
import { apiCorrectionFromView, correctionView } from '../policies/corrections/correction-view';
import { STATE_EXPORT_FORMAT, StateExport, StateExportSchema, StateImportResult } from './admin-api.schema';
import { INCIDENT_REPOSITORY, IncidentCursor, IncidentRepository } from '../incidents/ports/incident.repository';
import type { IncidentRecord } from '../incidents/domain/incident';
import { incidentView, recordOfView } from '../incidents/incident-view';

/**
 * SPEC §5, §10, §12: the durable state as one JSON document (`GET /v1/admin/state`) and its import
 * (`PUT /v1/admin/state`), through the ports only. Not exported: event buckets and evaluations
 * (recomputed), idempotency keys, the heartbeat slot, and anything secret (tokens, routing keys,
 * webhooks are config). Corrections: those created through the API (the config's are config).
 * Incidents with their postmortems, newest first (a malformed stored one is left out, logged).
 *
 * Import merges each kind by its key, after the whole document was validated:
 * - freezes, overrides, silences, corrections by `id` (written, over a stored one of the same id);
 * - alert states by SLO: only an SLO with nothing stored gets the export's (compare-and-set on
 *   "nothing stored"): a stored state is newer than any export and is kept;
 * - deliveries by `id`: one not pending is recorded (with its SLO's imported states, atomically);
 * - decisions by `decisionId`, admin changes by (at, id, action), deploys by `decisionId`: those
 *   missing are appended, oldest first;
 * - incidents by `id`: one not stored is written (an open one only if its service has no open
 *   incident; a resolved one only within its 400 days); a stored one is newer and is kept.
 * It then clears a recorded state loss and is audited (`state.import`).
 */
@Injectable()
export class StateTransferService {
  private readonly logger = new Logger('StateTransfer');

  constructor(
    @Inject(POLICY_STATE) private readonly policy: PolicyStateRepository,
    @Inject(SILENCE_REPOSITORY) private readonly silences: SilenceRepository,
    @Inject(CORRECTION_REPOSITORY) private readonly corrections: CorrectionRepository,
    @Inject(ADMIN_AUDIT) private readonly audit: AdminAuditLog,
    @Inject(ALERT_STATE_REPOSITORY) private readonly alerts: AlertStateRepository,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INCIDENT_REPOSITORY) private readonly incidents: IncidentRepository,
  ) {}

  /** Every stored incident, newest first. */
  private async allIncidents(): Promise<IncidentRecord[]> {
    const out: IncidentRecord[] = [];
    let after: IncidentCursor | null = null;
    do {
      const page = await this.incidents.list({ limit: 1000, after });
      for (const problem of page.unreadable) this.logger.warn(`state export leaves out ${problem}`);
      out.push(...page.incidents);
      after = page.next;
    } while (after !== null);
    return out;
  }

  async exportState(): Promise<StateExport> {
    const [freezes, overrides, silences, stored, deliveries, decisions, adminChanges, corrections] = await Promise.all([
      this.policy.listFreezes(),
      this.policy.listOverrides(),
      this.silences.listSilences(),
      this.alerts.loadAll(),
      this.outbox.pending(),
      this.policy.listDecisions({ limit: AUDIT_LIMITS.decisions }),
      this.audit.listAdminChanges(AUDIT_LIMITS.adminChanges),
      this.corrections.listCorrections(),
    ]);
    const incidents = await this.allIncidents();
    const services = [...new Set(decisions.map((d) => d.service))].sort();
    const deploys: DeployRecord[] = [];
    for (const service of services) deploys.push(...(await this.policy.listDeploys(service, AUDIT_LIMITS.deploysPerService)));
    const alerts: StateExport['alerts'] = [];
    for (const s of stored) {
      if (s.unreadable !== undefined) {
        this.logger.warn(`state export leaves out an unreadable alert state: ${s.unreadable}`);
        continue;
      }
      alerts.push(s.about ? { slo: s.slo, states: s.states, about: s.about } : { slo: s.slo, states: s.states });
    }
    alerts.sort((a, b) => (a.slo < b.slo ? -1 : a.slo > b.slo ? 1 : 0));
    return {
      format: STATE_EXPORT_FORMAT,
      exportedAt: new Date(this.clock.now()).toISOString(),
      freezes,
      overrides,
      silences,
      alerts,
      deliveries,
      audit: { decisions, adminChanges },
      deploys,
      incidents: incidents.map((incident) => incidentView(incident, this.clock.now())),
      corrections: corrections.sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(correctionView),
    };
  }

  /** Validates the whole document first (400 with paths, nothing written), then merges it. */
  async importState(body: unknown, actor: string): Promise<StateImportResult> {
    const doc = parseInput(StateExportSchema, body, 'invalid state export');
    const nowMs = this.clock.now();
    const imported = { freezes: 0, overrides: 0, silences: 0, alerts: 0, deliveries: 0, decisions: 0, adminChanges: 0, deploys: 0, corrections: 0, incidents: 0 };

    for (const freeze of doc.freezes) {
      await this.policy.saveFreeze(freeze);
      imported.freezes++;
    }
    for (const override of doc.overrides) {
      await this.policy.saveOverride(override);
      imported.overrides++;
    }
    for (const silence of doc.silences) {
      await this.silences.saveSilence(silence);
      imported.silences++;
    }
    for (const correction of doc.corrections ?? []) {
      await this.corrections.saveCorrection(apiCorrectionFromView(correction));
      imported.corrections++;
    }

    // alert states and the outbox: per SLO, one commit (states if nothing is stored, deliveries not pending)
    const [stored, pending] = await Promise.all([this.alerts.loadAll(), this.outbox.pending()]);
    const storedBySlo = new Map(stored.map((s) => [s.slo, s]));
    const pendingIds = new Set(pending.map((d) => d.id));
    const deliveriesBySlo = new Map<string, Delivery[]>();
    for (const d of doc.deliveries) {
      if (pendingIds.has(d.id)) continue;
      // postmortem reminders are not imported: they belong to no SLO, and their "sent once" markers are not exported
      if (d.message.alertKind === 'postmortem') continue;
      pendingIds.add(d.id);
      const list = deliveriesBySlo.get(d.message.slo) ?? [];
      list.push(d);
      deliveriesBySlo.set(d.message.slo, list);
    }
    const exportedBySlo = new Map(doc.alerts.map((a) => [a.slo, a]));
    const slos = new Set([...exportedBySlo.keys(), ...deliveriesBySlo.keys()]);
    for (const slo of slos) {
      const current = storedBySlo.get(slo);
      if (current?.unreadable !== undefined) {
        this.logger.warn(`state import leaves ${slo} alone: ${current.unreadable}`);
        continue;
      }
      const exported = exportedBySlo.get(slo);
      const deliveries = deliveriesBySlo.get(slo) ?? [];
      const takeExported = current === undefined && exported !== undefined;
      const change: SloAlertChange = takeExported
        ? { slo, expected: null, states: exported.states, ...(exported.about ? { about: exported.about } : {}), deliveries }
        : { slo, expected: current?.version ?? null, states: current?.states ?? [], ...(current?.about ? { about: current.about } : {}), deliveries };
      if (!takeExported && deliveries.length === 0) continue;
      const [applied] = await this.alerts.commit([change], nowMs);
      if (!applied) {
        this.logger.warn(`state import: the alert state of ${slo} changed while importing; left as stored`);
        continue;
      }
      if (takeExported) imported.alerts++;
      imported.deliveries += deliveries.length;
    }

    // the audit and deploy markers: the missing ones, oldest first
    const decisions = await this.policy.listDecisions({ limit: AUDIT_LIMITS.decisions });
    const decisionIds = new Set(decisions.map((d) => d.decisionId));
    for (const decision of [...doc.audit.decisions].reverse()) {
      if (decisionIds.has(decision.decisionId)) continue;
      decisionIds.add(decision.decisionId);
      await this.policy.appendDecision(decision);
      imported.decisions++;
    }
    const changes = await this.audit.listAdminChanges(AUDIT_LIMITS.adminChanges);
    const changeKey = (c: AdminAuditEntry) => JSON.stringify([c.at, c.id, c.action]);
    const changeKeys = new Set(changes.map(changeKey));
    for (const change of [...doc.audit.adminChanges].reverse()) {
      if (changeKeys.has(changeKey(change))) continue;
      changeKeys.add(changeKey(change));
      await this.audit.appendAdminChange(change);
      imported.adminChanges++;
    }
    const deployIds = new Set<string>();
    for (const service of new Set(doc.deploys.map((d) => d.service))) {
      for (const d of await this.policy.listDeploys(service, AUDIT_LIMITS.deploysPerService)) deployIds.add(d.decisionId);
    }
    for (const deploy of [...doc.deploys].reverse()) {
      if (deployIds.has(deploy.decisionId)) continue;
      deployIds.add(deploy.decisionId);
      await this.policy.recordDeploy(deploy);
      imported.deploys++;
    }

    for (const incident of [...(doc.incidents ?? [])].reverse()) {
      if (await this.incidents.insertIfAbsent(recordOfView(incident), nowMs)) imported.incidents++;
    }

    const loss = await this.integrity.acceptLoss();
    const acceptedLoss = loss ? { lostAt: new Date(loss.lostAtMs).toISOString(), reason: loss.reason } : null;
    const entry: AdminAuditEntry = {
      at: new Date(this.clock.now()).toISOString(),
      actor,
      action: 'state.import',
      id: `export-${doc.exportedAt}`,
      service: '*',
      details: { exportedAt: doc.exportedAt, imported, acceptedLoss },
    };
    await this.audit.appendAdminChange(entry);
    this.logger.warn({ audit: entry }, 'state export imported');
    return { imported, acceptedLoss };
  }
}
