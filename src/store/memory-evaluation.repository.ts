import type { EvaluationRepository, SloEvaluationRecord } from '../slo/evaluation-record';

export class MemoryEvaluationRepository implements EvaluationRepository {
  private readonly records = new Map<string, SloEvaluationRecord>();

  async saveAll(records: SloEvaluationRecord[]): Promise<void> {
    for (const record of records) this.records.set(record.slo, structuredClone(record));
  }

  async getMany(ids: readonly string[]): Promise<Array<SloEvaluationRecord | null>> {
    return ids.map((id) => {
      const record = this.records.get(id);
      return record ? structuredClone(record) : null;
    });
  }

  async retainOnly(ids: readonly string[]): Promise<void> {
    const keep = new Set(ids);
    for (const id of this.records.keys()) if (!keep.has(id)) this.records.delete(id);
  }
}
