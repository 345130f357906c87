/**
 * Mutes notifications (not evaluation) of one SLO, or of every SLO of a service, until `until`.
 * Exactly one of `slo` / `service` is set.
 */
export interface Silence {
  id: string;
  slo: string | null;
  service: string | null;
  until: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

/** Where silences are kept (with the other policy state: memory or Redis). */
export interface SilenceRepository {
  saveSilence(silence: Silence): Promise<void>;
  listSilences(): Promise<Silence[]>;
  deleteSilence(id: string): Promise<Silence | null>;
}

export const SILENCE_REPOSITORY = Symbol('SILENCE_REPOSITORY');
