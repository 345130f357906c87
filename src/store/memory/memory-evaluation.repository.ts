import type { EvaluationRepository, SloEvaluationRecord } from '../../slo/ports/evaluation.repository';

/**
 * Latest evaluations in process. Records are frozen when saved and handed out as they are (no copy
 * per read: the gate reads every SLO of a service on each decision); nobody can mutate them.
 */
export class MemoryEvaluationRepository implements EvaluationRepository {
  private readonly records = new Map<string, SloEvaluationRecord>();

  async saveAll(records: SloEvaluationRecord[]): Promise<void> {
    for (const record of records) this.records.set(record.slo, deepFreeze(structuredClone(record)));
  }

  async getMany(ids: readonly string[]): Promise<Array<SloEvaluationRecord | null>> {
    return ids.map((id) => this.records.get(id) ?? null);
  }

  async retainOnly(ids: readonly string[]): Promise<void> {
    const keep = new Set(ids);
    for (const id of this.records.keys()) if (!keep.has(id)) this.records.delete(id);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
