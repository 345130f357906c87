import type { Clock } from '../../common/clock';
import { INCIDENT_RETENTION_MS, type IncidentRecord } from '../../incidents/domain/incident';
import { followUpPending } from '../../incidents/domain/postmortem';
import {
  IncidentPage,
  IncidentQuery,
  IncidentRepository,
  parseStoredIncident,
  serializeIncident,
  StoredIncident,
} from '../../incidents/ports/incident.repository';

interface Entry {
  json: string;
  /** null while open */
  expiresAtMs: number | null;
}

/**
 * Incidents in process: the same semantics as the Redis repository (one contract suite tests both),
 * kept only while the process lives. Values are kept as JSON, read back through the same validation.
 */
export class MemoryIncidentRepository implements IncidentRepository {
  private readonly records = new Map<string, Entry>();
  /** service → id of its open incident */
  private readonly open = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  async openIfNone(incident: IncidentRecord, nowMs: number): Promise<boolean> {
    if (incident.state !== 'open') throw new Error('openIfNone: the incident must be open');
    return this.insertIfAbsent(incident, nowMs);
  }

  async insertIfAbsent(incident: IncidentRecord, nowMs: number): Promise<boolean> {
    if (this.live(incident.id)) return false;
    if (incident.state === 'open') {
      if (this.open.has(incident.service)) return false;
      this.open.set(incident.service, incident.id);
    } else if (expiresAt(incident, nowMs, this.clock) <= this.clock.now()) return false;
    this.write(incident, nowMs);
    return true;
  }

  async listOpen(): Promise<StoredIncident[]> {
    const out: StoredIncident[] = [];
    for (const [service, id] of this.open) {
      const entry = this.live(id);
      if (!entry) {
        this.open.delete(service);
        continue;
      }
      out.push(parseStoredIncident(id, entry.json, `incident "${id}" in memory`, service));
    }
    return out;
  }

  async get(id: string): Promise<StoredIncident | null> {
    const entry = this.live(id);
    return entry ? parseStoredIncident(id, entry.json, `incident "${id}" in memory`) : null;
  }

  async update(incident: IncidentRecord, expected: string, nowMs: number): Promise<boolean> {
    const entry = this.live(incident.id);
    if (!entry || entry.json !== expected) return false;
    if (incident.state === 'resolved' && this.open.get(incident.service) === incident.id) this.open.delete(incident.service);
    this.write(incident, nowMs);
    return true;
  }

  async list(query: IncidentQuery): Promise<IncidentPage> {
    const page: IncidentPage = { incidents: [], unreadable: [], next: null };
    const after = query.after ?? null;
    const candidates: Array<{ id: string; detectedAtMs: number; stored: StoredIncident }> = [];
    for (const [id, entry] of this.records) {
      if (!this.live(id)) continue;
      const stored = parseStoredIncident(id, entry.json, `incident "${id}" in memory`);
      if (!stored.incident) {
        page.unreadable.push(stored.unreadable!);
        continue;
      }
      candidates.push({ id, detectedAtMs: stored.incident.detectedAtMs, stored });
    }
    candidates.sort((a, b) => b.detectedAtMs - a.detectedAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    for (const { id, detectedAtMs, stored } of candidates) {
      const incident = stored.incident!;
      if (after && (detectedAtMs > after.detectedAtMs || (detectedAtMs === after.detectedAtMs && id >= after.id))) continue;
      if (query.service !== undefined && incident.service !== query.service) continue;
      if (query.state !== undefined && incident.state !== query.state) continue;
      if (query.fromMs !== undefined && detectedAtMs < query.fromMs) continue;
      if (query.toMs !== undefined && detectedAtMs > query.toMs) continue;
      if (page.incidents.length === query.limit) {
        const last = page.incidents[page.incidents.length - 1];
        page.next = { detectedAtMs: last.detectedAtMs, id: last.id };
        break;
      }
      page.incidents.push(incident);
    }
    return page;
  }

  async listFollowUps(): Promise<StoredIncident[]> {
    const out: StoredIncident[] = [];
    for (const [id, entry] of this.records) {
      if (!this.live(id)) continue;
      const stored = parseStoredIncident(id, entry.json, `incident "${id}" in memory`);
      if (!stored.incident || followUpPending(stored.incident)) out.push(stored);
    }
    return out;
  }

  private write(incident: IncidentRecord, nowMs: number): void {
    const expiresAtMs = incident.state === 'open' ? null : expiresAt(incident, nowMs, this.clock);
    this.records.set(incident.id, { json: serializeIncident(incident), expiresAtMs });
  }

  /** The entry of `id` unless it expired (an expired one is dropped). */
  private live(id: string): Entry | undefined {
    const entry = this.records.get(id);
    if (entry && entry.expiresAtMs !== null && entry.expiresAtMs <= this.clock.now()) {
      this.records.delete(id);
      return undefined;
    }
    return entry;
  }
}

/** When a resolved incident is dropped, on this clock: 400 days after it resolved (as seen by the writer at `nowMs`). */
function expiresAt(incident: IncidentRecord, nowMs: number, clock: Clock): number {
  const ttlMs = (incident.resolvedAtMs ?? nowMs) + INCIDENT_RETENTION_MS - nowMs;
  return clock.now() + ttlMs;
}
