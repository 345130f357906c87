import type { Redis } from 'ioredis';
import type { EvaluationRepository, SloEvaluationRecord } from '../../slo/ports/evaluation.repository';
import { redisCall } from './redis-call';

const CHUNK = 1000;

/** Latest evaluations in one Redis hash, field = SLO id, value = JSON record. */
export class RedisEvaluationRepository implements EvaluationRepository {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}eval:latest`;
  }

  async saveAll(records: SloEvaluationRecord[]): Promise<void> {
    await redisCall('save evaluations', async () => {
      const pipeline = this.redis.pipeline();
      for (let i = 0; i < records.length; i += CHUNK) {
        const args: string[] = [];
        for (const record of records.slice(i, i + CHUNK)) args.push(record.slo, JSON.stringify(record));
        pipeline.hset(this.key, ...args);
      }
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) if (error) throw error;
    });
  }

  async getMany(ids: readonly string[]): Promise<Array<SloEvaluationRecord | null>> {
    if (ids.length === 0) return [];
    const values = await redisCall('read evaluations', () => this.redis.hmget(this.key, ...ids));
    return values.map((value) => (value ? (JSON.parse(value) as SloEvaluationRecord) : null));
  }

  async retainOnly(ids: readonly string[]): Promise<void> {
    const keep = new Set(ids);
    await redisCall('prune evaluations', async () => {
      const stored = await this.redis.hkeys(this.key);
      const stale = stored.filter((id) => !keep.has(id));
      for (let i = 0; i < stale.length; i += CHUNK) await this.redis.hdel(this.key, ...stale.slice(i, i + CHUNK));
    });
  }
}
