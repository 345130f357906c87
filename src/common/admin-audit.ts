/**
 * The admin audit log: every change an admin token makes (freezes, overrides, silences, corrections, postmortems) with the
 * token's name. A port: the policy-state adapters keep it beside the records it audits.
 */

/** A change to freezes, overrides or silences, as written to the audit log. */
/** What an admin can change, as written to the audit log. */
export const ADMIN_ACTIONS = [
  'freeze.create',
  'freeze.delete',
  'override.create',
  'override.delete',
  'silence.create',
  'silence.delete',
  'correction.create',
  'correction.delete',
  'state.accept-loss',
  'state.import',
  'postmortem.update',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

export interface AdminAuditEntry {
  at: string;
  actor: string;
  action: AdminAction;
  id: string;
  service: string;
  details: Record<string, unknown>;
}

export interface AdminAuditLog {
  appendAdminChange(entry: AdminAuditEntry): Promise<void>;
  /** newest first */
  listAdminChanges(limit: number): Promise<AdminAuditEntry[]>;
}

export const ADMIN_AUDIT = Symbol('ADMIN_AUDIT');
