/**
 * The corrections in force (SPEC §4): the config's and those created through the API, read by
 * the evaluation at each cycle and by history. Implemented by the policies room, which owns the
 * corrections API and their storage next to freezes and overrides.
 */
import type { Correction } from '../domain/corrections';

export interface CorrectionsReader {
  /** Every correction, config ones first; rejects when the state store cannot be read. */
  all(): Promise<Correction[]>;
}

export const CORRECTIONS = Symbol('CORRECTIONS');
