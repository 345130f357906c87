import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { EVENT_STORE, EventStore, SloStoreLayout } from '../sources/events/event-store';
import { MemoryEventStore } from './memory/memory-event-store';
import { RedisEventStore } from './redis/redis-event-store';
import { IDEMPOTENCY_REPOSITORY } from '../sources/events/idempotency';
import { EVALUATION_REPOSITORY, EvaluationRepository } from '../slo/ports/evaluation.repository';
import { storeLayoutOf } from '../slo/slo-evaluator';
import type { AppConfig } from '../config/app-config';
import { MemoryEvaluationRepository } from './memory/memory-evaluation.repository';
import { MemoryIdempotencyRepository } from './memory/memory-idempotency.repository';
import { RedisEvaluationRepository } from './redis/redis-evaluation.repository';
import { RedisIdempotencyRepository } from './redis/redis-idempotency.repository';
import { createRedisClient, redactRedisUrl, waitForRedis } from './redis/redis-connection';
import { STATE_HEALTH } from '../common/state-health';
import { memoryStateHealth } from './memory/memory-state-health';
import { redisStateHealth } from './redis/redis-state-health';
import { ADMIN_AUDIT } from '../common/admin-audit';
import { SILENCE_REPOSITORY } from '../alerting/silences/silence';
import { HEARTBEAT_SLOT } from '../notifiers/ports/heartbeat-slot';
import { MemoryHeartbeatSlot } from './memory/memory-heartbeat-slot';
import { RedisHeartbeatSlot } from './redis/redis-heartbeat-slot';
import { STATE_INTEGRITY, StateIntegrity } from '../common/state-integrity';
import { MemoryStateIntegrity } from './memory/memory-state-integrity';
import { RedisStateIntegrity } from './redis/redis-state-integrity';
import { checkRedisSettings } from './redis/redis-settings';
import { METRICS_REGISTRY } from '../common/metrics-registry';
import { Counter, Registry } from 'prom-client';
import { POLICY_STATE } from '../policies/ports/policy-state.repository';
import { CORRECTION_REPOSITORY } from '../policies/ports/correction.repository';
import { MemoryPolicyStateRepository } from './memory/memory-policy-state.repository';
import { RedisPolicyStateRepository } from './redis/redis-policy-state.repository';
import { ALERT_STATE_REPOSITORY } from '../alerting/ports/alert-state.repository';
import { REMINDER_OUTBOX } from '../alerting/ports/reminder-outbox';
import { OUTBOX } from '../notifiers/ports/outbox';
import { MemoryAlertStore } from './memory/memory-alert-store';
import { INCIDENT_REPOSITORY } from '../incidents/ports/incident.repository';
import { MemoryIncidentRepository } from './memory/memory-incident.repository';
import { RedisIncidentRepository } from './redis/redis-incident.repository';
import { RedisAlertStore } from './redis/redis-alert-store';

const ALERT_STORE = Symbol('ALERT_STORE');

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export function storeLayouts(config: AppConfig): SloStoreLayout[] {
  const now = Date.now();
  return config.slos.filter((slo) => slo.sli.source === 'events').map((slo) => ({ slo: slo.id, ...storeLayoutOf(slo, now) }));
}

/** Keeps the store's layouts in step with the config, and closes what this module opened. */
@Injectable()
class StoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StoreModule');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(EVALUATION_REPOSITORY) private readonly evaluations: EvaluationRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    @Inject(STATE_INTEGRITY) private readonly integrity: StateIntegrity,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const server = this.config.current.server;
    if (this.redis) {
      // a single Redis (redisUrl) or a Sentinel-monitored master: the same start-up checks for both
      const where = server.redisUrl ? { redis: redactRedisUrl(server.redisUrl) } : { sentinelMaster: server.redis?.sentinel?.name ?? null };
      this.logger.log({ ...where, prefix: server.redisPrefix }, 'state in Redis');
      // A short wait so the first cycle usually finds Redis connected; if not, start anyway:
      // /readyz says 503 and the client keeps reconnecting.
      const ready = await waitForRedis(this.redis, 3_000).then(
        () => true,
        () => {
          this.logger.warn('Redis not reachable yet; retrying in the background');
          return false;
        },
      );
      if (ready) {
        // SPEC §8: an evicting Redis loses state silently: refuse to start (throws, naming the setting).
        const warnings = await checkRedisSettings(this.redis).catch((error: unknown) => {
          this.redis?.disconnect(); // the app does not start: nothing else will close the client
          throw error;
        });
        for (const warning of warnings) this.logger.warn(warning);
        // Adopt the deployment's state marker now (or write it for a new deployment), so a loss
        // while this replica runs is seen at its next check.
        await this.integrity.check(this.clock.now()).catch(() => undefined);
      }
    } else if (!this.redis) {
      this.logger.warn('REDIS_URL is not set: state is in memory (one replica only, lost on restart)');
    }
    await this.events.configure(storeLayouts(this.config.current));
    this.config.onReplace(async (next) => {
      await this.events.configure(storeLayouts(next));
      await this.evaluations.retainOnly(next.slos.map((slo) => slo.id)).catch((error: unknown) => {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not prune evaluations of removed SLOs');
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
    if (this.redis) this.redis.disconnect();
  }
}

@Global()
@Module({})
export class StoreModule {
  static forRoot(options: { redis?: Redis | null } = {}): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          inject: [ConfigHolder],
          useFactory: (config: ConfigHolder) =>
            options.redis !== undefined ? options.redis : createRedisClient(config.current.server),
        },
        {
          provide: EVENT_STORE,
          inject: [REDIS_CLIENT, ConfigHolder, CLOCK],
          useFactory: (redis: Redis | null, config: ConfigHolder, clock: Clock) =>
            redis
              ? new RedisEventStore(redis, config.current.server.redisPrefix, { now: () => clock.now() })
              : new MemoryEventStore(),
        },
        {
          provide: EVALUATION_REPOSITORY,
          inject: [REDIS_CLIENT, ConfigHolder],
          useFactory: (redis: Redis | null, config: ConfigHolder) =>
            redis ? new RedisEvaluationRepository(redis, config.current.server.redisPrefix) : new MemoryEvaluationRepository(),
        },
        {
          provide: IDEMPOTENCY_REPOSITORY,
          inject: [REDIS_CLIENT, ConfigHolder, CLOCK],
          useFactory: (redis: Redis | null, config: ConfigHolder, clock: Clock) =>
            redis ? new RedisIdempotencyRepository(redis, config.current.server.redisPrefix) : new MemoryIdempotencyRepository(clock),
        },
        {
          provide: POLICY_STATE,
          // the gate reads evaluations, policy state and the integrity marker together (one Redis round trip)
          inject: [REDIS_CLIENT, ConfigHolder, EVALUATION_REPOSITORY, STATE_INTEGRITY],
          useFactory: (redis: Redis | null, config: ConfigHolder, evaluations: EvaluationRepository, integrity: StateIntegrity) =>
            redis
              ? new RedisPolicyStateRepository(redis, config.current.server.redisPrefix, integrity instanceof RedisStateIntegrity ? integrity : undefined)
              : new MemoryPolicyStateRepository(evaluations, integrity),
        },
        {
          provide: ALERT_STORE,
          inject: [REDIS_CLIENT, ConfigHolder],
          useFactory: (redis: Redis | null, config: ConfigHolder) =>
            redis ? new RedisAlertStore(redis, config.current.server.redisPrefix) : new MemoryAlertStore(),
        },
        { provide: ALERT_STATE_REPOSITORY, useExisting: ALERT_STORE },
        { provide: OUTBOX, useExisting: ALERT_STORE },
        { provide: REMINDER_OUTBOX, useExisting: ALERT_STORE },
        {
          provide: STATE_INTEGRITY,
          inject: [REDIS_CLIENT, ConfigHolder, METRICS_REGISTRY],
          useFactory: (redis: Redis | null, config: ConfigHolder, registry: Registry) => {
            const losses = new Counter({
              name: 'slo_engine_state_loss_total',
              help: 'Losses of the shared state (Redis emptied or replaced) this replica detected',
              registers: [registry],
            });
            if (!redis) return new MemoryStateIntegrity();
            const integrity = new RedisStateIntegrity(redis, config.current.server.redisPrefix);
            const logger = new Logger('StateIntegrity');
            integrity.onLossDetected = (loss) => {
              losses.inc();
              logger.error({ lostAt: new Date(loss.lostAtMs).toISOString(), reason: loss.reason }, 'shared state lost: the deploy gate denies all but rollback and security until the loss is accepted');
            };
            return integrity;
          },
        },
        {
          provide: INCIDENT_REPOSITORY,
          inject: [REDIS_CLIENT, ConfigHolder, CLOCK],
          useFactory: (redis: Redis | null, config: ConfigHolder, clock: Clock) =>
            redis ? new RedisIncidentRepository(redis, config.current.server.redisPrefix) : new MemoryIncidentRepository(clock),
        },
        { provide: SILENCE_REPOSITORY, useExisting: POLICY_STATE },
        { provide: CORRECTION_REPOSITORY, useExisting: POLICY_STATE },
        { provide: ADMIN_AUDIT, useExisting: POLICY_STATE },
        {
          provide: HEARTBEAT_SLOT,
          inject: [REDIS_CLIENT, ConfigHolder],
          useFactory: (redis: Redis | null, config: ConfigHolder) =>
            redis ? new RedisHeartbeatSlot(redis, config.current.server.redisPrefix) : new MemoryHeartbeatSlot(),
        },
        {
          provide: STATE_HEALTH,
          inject: [REDIS_CLIENT],
          useFactory: (redis: Redis | null) => (redis ? redisStateHealth(redis) : memoryStateHealth),
        },
        StoreLifecycle,
      ],
      exports: [
        REDIS_CLIENT,
        EVENT_STORE,
        EVALUATION_REPOSITORY,
        IDEMPOTENCY_REPOSITORY,
        POLICY_STATE,
        SILENCE_REPOSITORY,
        CORRECTION_REPOSITORY,
        ADMIN_AUDIT,
        ALERT_STATE_REPOSITORY,
        OUTBOX,
        REMINDER_OUTBOX,
        HEARTBEAT_SLOT,
        INCIDENT_REPOSITORY,
        STATE_INTEGRITY,
        STATE_HEALTH,
      ],
    };
  }
}
