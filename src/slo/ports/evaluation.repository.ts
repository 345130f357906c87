import type { BudgetNumbers } from '../domain/budget-math';

/**
 * What an evaluation cycle keeps per SLO: the numbers of the last *successful* evaluation and the
 * outcome of the last attempt. Budget objects are derived from it at read time (zone staleness),
 * never recomputed from events on the request path.
 */
export interface SloEvaluationRecord {
  slo: string;
  /** time of the last successful evaluation, epoch ms; null when never successful */
  evaluatedAtMs: number | null;
  /** numbers of the last successful evaluation; null when never successful */
  numbers: BudgetNumbers | null;
  /**
   * `ruleKey`s of the alert rules holding at the last successful evaluation (absent in records
   * written before alerting existed: none held)
   */
  rulesHeld?: string[];
  lastAttemptAtMs: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  /**
   * Set only on what `getMany` answers for a stored record it cannot read (malformed: SPEC §12):
   * what is wrong, naming the key. Such a record has no numbers (zone `unknown`); the next
   * evaluation of its SLO fails with this error and saves a proper record over it. Never saved.
   */
  unreadable?: string;
}

/** Latest evaluation per SLO, shared by all replicas (Redis) or in process (memory). */
export interface EvaluationRepository {
  saveAll(records: SloEvaluationRecord[]): Promise<void>;
  /** records for the given ids, in order; missing ones are null, malformed ones `unreadable` (never a rejection for one bad value) */
  getMany(ids: readonly string[]): Promise<Array<SloEvaluationRecord | null>>;
  /** drops the records of SLOs that are no longer configured */
  retainOnly(ids: readonly string[]): Promise<void>;
}

export const EVALUATION_REPOSITORY = Symbol('EVALUATION_REPOSITORY');
