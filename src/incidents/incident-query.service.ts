import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { ADMIN_AUDIT, AdminAuditLog } from '../common/admin-audit';
import { DomainError, NotFoundError, ValidationError } from '../common/domain-error';
import { durationMs } from '../common/duration';
import type { OpenIncidentsReader } from '../alerting/ports/open-incidents';
import type { OverduePostmortem, OverduePostmortemsReader } from '../policies/ports/overdue-postmortems';
import { iso, type IncidentRecord } from './domain/incident';
import { postmortemOverdue, writePostmortem } from './domain/postmortem';
import { reliabilitySummary, type ReliabilitySummary } from './domain/reliability';
import type { PostmortemRequest } from './incident-api.schema';
import { IncidentList, incidentView, IncidentView } from './incident-view';
import { INCIDENT_REPOSITORY, IncidentCursor, IncidentRepository, StoredIncident } from './ports/incident.repository';

export const DEFAULT_INCIDENT_PAGE = 100;
/** The reliability summary reads at most this many incidents of a service (newest first). */
const MAX_SUMMARY_INCIDENTS = 10_000;
/** A postmortem written while another write lands is retried this often. */
const WRITE_ATTEMPTS = 3;

export interface IncidentListQuery {
  service?: string;
  state?: 'open' | 'resolved';
  fromMs?: number;
  toMs?: number;
  limit?: number;
  cursor?: string;
}

/**
 * Read side of incidents (SPEC §5, §13) and the postmortem endpoint; also the ports other rooms
 * read incidents through: the alerting step's `OPEN_INCIDENTS` (which incident a page names) and
 * the deploy gate's `OVERDUE_POSTMORTEMS`.
 */
@Injectable()
export class IncidentQueryService implements OpenIncidentsReader, OverduePostmortemsReader {
  private readonly logger = new Logger('Incidents');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INCIDENT_REPOSITORY) private readonly incidents: IncidentRepository,
    @Inject(ADMIN_AUDIT) private readonly audit: AdminAuditLog,
  ) {}

  async list(query: IncidentListQuery): Promise<IncidentList> {
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const page = await this.incidents.list({
      ...(query.service !== undefined ? { service: query.service } : {}),
      ...(query.state !== undefined ? { state: query.state } : {}),
      ...(query.fromMs !== undefined ? { fromMs: query.fromMs } : {}),
      ...(query.toMs !== undefined ? { toMs: query.toMs } : {}),
      limit: query.limit ?? DEFAULT_INCIDENT_PAGE,
      after,
    });
    for (const problem of page.unreadable) this.logger.warn(`incident list leaves out ${problem}`);
    const nowMs = this.clock.now();
    return { incidents: page.incidents.map((i) => incidentView(i, nowMs)), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  async get(id: string): Promise<IncidentView> {
    const stored = await this.readable(id);
    return incidentView(stored.incident!, this.clock.now());
  }

  /** Writes (or rewrites) the incident's postmortem; audited (`postmortem.update`). Nothing is stored when the incident is unknown. */
  async putPostmortem(id: string, input: PostmortemRequest, actor: string): Promise<IncidentView> {
    const actionItems = input.actionItems.map((item) => ({ title: item.title, owner: item.owner, dueAtMs: item.dueAt, category: item.category, done: item.done }));
    const summary = input.summary === undefined || input.summary === '' ? null : input.summary;
    for (let attempt = 1; ; attempt++) {
      const stored = await this.readable(id);
      const nowMs = this.clock.now();
      const next = writePostmortem(stored.incident!, { url: input.url, summary, actionItems }, actor, nowMs);
      if (await this.incidents.update(next, stored.version, nowMs)) {
        await this.audit.appendAdminChange({
          at: iso(nowMs),
          actor,
          action: 'postmortem.update',
          id,
          service: next.service,
          details: { url: input.url, summary, actionItems: input.actionItems.map((a) => ({ title: a.title, owner: a.owner, dueAt: iso(a.dueAt), category: a.category, done: a.done })) },
        });
        this.logger.log({ incident: id, url: input.url, actionItems: actionItems.length, actor }, 'postmortem written');
        return incidentView(next, nowMs);
      }
      if (attempt >= WRITE_ATTEMPTS) throw new DomainError('conflict', `incident "${id}" kept changing while the postmortem was written; try again`);
    }
  }

  /** The reliability summary of a known service over the last `window` (SPEC §13). */
  async reliability(service: string, window: string): Promise<ReliabilitySummary> {
    if (this.config.slosOfService(service).length === 0) throw new NotFoundError(`unknown service "${service}"`);
    const nowMs = this.clock.now();
    const fromMs = nowMs - durationMs(window);
    const found: IncidentRecord[] = [];
    let after: IncidentCursor | null = null;
    do {
      const page = await this.incidents.list({ service, fromMs, toMs: nowMs, limit: 1000, after });
      for (const problem of page.unreadable) this.logger.warn(`reliability summary leaves out ${problem}`);
      found.push(...page.incidents);
      after = page.next;
    } while (after !== null && found.length < MAX_SUMMARY_INCIDENTS);
    return reliabilitySummary(service, window, found, nowMs);
  }

  /** `OPEN_INCIDENTS`: service → id of its open incident (one whose record is malformed included: its id is known). */
  async openIncidentIds(): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    for (const entry of await this.incidents.listOpen()) {
      const service = entry.incident?.service ?? entry.service;
      if (service !== null) out.set(service, entry.id);
    }
    return out;
  }

  /** `OVERDUE_POSTMORTEMS`: the service's overdue postmortems, oldest due first. */
  async overdueOf(service: string, nowMs: number): Promise<OverduePostmortem[]> {
    const pending = await this.incidents.listFollowUps();
    return pending
      .filter((e) => e.incident !== null && e.incident.service === service && postmortemOverdue(e.incident.postmortem, nowMs))
      .sort((a, b) => a.incident!.postmortem.dueAtMs! - b.incident!.postmortem.dueAtMs!)
      .map((e) => ({ incidentId: e.id, dueAt: iso(e.incident!.postmortem.dueAtMs!) }));
  }

  private async readable(id: string): Promise<StoredIncident> {
    const stored = id.length > 128 ? null : await this.incidents.get(id);
    if (!stored) throw new NotFoundError(`unknown incident "${id}"`);
    if (stored.unreadable !== undefined) throw new DomainError('state-unavailable', stored.unreadable);
    return stored;
  }
}

function encodeCursor(cursor: IncidentCursor): string {
  return Buffer.from(JSON.stringify([cursor.detectedAtMs, cursor.id]), 'utf8').toString('base64url');
}

function decodeCursor(text: string): IncidentCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string' && value[1].length <= 128) {
      return { detectedAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    /* below */
  }
  throw new ValidationError('invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this API' }]);
}
