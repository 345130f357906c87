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
    this.key = evaluationsKey(prefix);
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

  /** A malformed value fails only its SLO: answered as an `unreadable` record naming the hash and the field. */
  async getMany(ids: readonly string[]): Promise<Array<SloEvaluationRecord | null>> {
    if (ids.length === 0) return [];
    const values = await redisCall('read evaluations', () => this.redis.hmget(this.key, ...ids));
    return values.map((value, i) => (value ? this.parse(ids[i], value) : null));
  }

  async retainOnly(ids: readonly string[]): Promise<void> {
    const keep = new Set(ids);
    await redisCall('prune evaluations', async () => {
      const stored = await this.redis.hkeys(this.key);
      const stale = stored.filter((id) => !keep.has(id));
      for (let i = 0; i < stale.length; i += CHUNK) await this.redis.hdel(this.key, ...stale.slice(i, i + CHUNK));
    });
  }

  private parse(slo: string, json: string): SloEvaluationRecord {
    return parseStoredEvaluation(this.key, slo, json);
  }
}

/** The hash of the latest evaluations under a deployment's prefix. */
export function evaluationsKey(prefix: string): string {
  return `${prefix}eval:latest`;
}

/** A stored record read back; a malformed one becomes an `unreadable` record naming the hash and the field. */
export function parseStoredEvaluation(key: string, slo: string, json: string): SloEvaluationRecord {
  let problem: string | null;
  let value: unknown;
  try {
    value = JSON.parse(json);
    problem = recordProblem(value, slo);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  if (problem === null) return value as SloEvaluationRecord;
  const unreadable = `malformed evaluation record at Redis hash "${key}" field "${slo}": ${problem}`;
  return { slo, evaluatedAtMs: null, numbers: null, lastAttemptAtMs: null, consecutiveFailures: 0, lastError: unreadable, unreadable };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableNumber = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

/** What is wrong with a stored record (the fields its readers rely on), or null. */
function recordProblem(value: unknown, slo: string): string | null {
  if (!isRecord(value)) return 'not an object';
  if (value.slo !== slo) return `slo is ${JSON.stringify(value.slo)}, not "${slo}"`;
  if (!isNullableNumber(value.evaluatedAtMs)) return 'evaluatedAtMs is not a number or null';
  if (!isNullableNumber(value.lastAttemptAtMs)) return 'lastAttemptAtMs is not a number or null';
  if (typeof value.consecutiveFailures !== 'number' || !Number.isInteger(value.consecutiveFailures) || value.consecutiveFailures < 0) {
    return 'consecutiveFailures is not a count';
  }
  if (value.lastError !== null && typeof value.lastError !== 'string') return 'lastError is not a string or null';
  if (value.rulesHeld !== undefined && !(Array.isArray(value.rulesHeld) && value.rulesHeld.every((r) => typeof r === 'string'))) return 'rulesHeld is not a list of rules';
  const numbers = value.numbers;
  if (numbers === null) return null;
  if (!isRecord(numbers)) return 'numbers is not an object or null';
  if (typeof numbers.remaining !== 'number') return 'numbers.remaining is not a number';
  if (!isRecord(numbers.burnRates)) return 'numbers.burnRates is not an object';
  return null;
}
