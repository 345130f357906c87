import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import axios, { AxiosInstance } from 'axios';
import type { Redis } from 'ioredis';
import { ConfigHolder } from '../config/config-holder';
import { CLOCK, Clock } from '../common/clock';
import { EvaluatedCycle, EvaluationService } from '../slo/evaluation.service';
import { REDIS_CLIENT } from '../store/store.module';
import { scrubReason, urlSecrets } from './drivers/delivery-outcome';

/**
 * SPEC §6 dead man's switch: after a completed evaluation cycle, `GET {heartbeat.url}` at most
 * once per `heartbeat.interval`, from whichever replica completed the cycle (a Redis key taken with
 * SET NX PX decides which). If the engine stops evaluating, the pings stop and the monitoring
 * service on the other end pages. Best effort: a failed ping is logged, not retried.
 */
@Injectable()
export class HeartbeatService implements OnModuleInit {
  private readonly logger = new Logger('Heartbeat');
  private readonly http: AxiosInstance = axios.create({ timeout: 10_000, maxRedirects: 0, validateStatus: () => true });
  private lastSentAtMs = -Infinity;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
    private readonly evaluation: EvaluationService,
  ) {}

  onModuleInit(): void {
    this.evaluation.addStep({ name: 'heartbeat', run: (cycle) => this.afterCycle(cycle) });
  }

  /** Waits for a ping in flight (tests, shutdown). */
  async idle(): Promise<void> {
    if (this.pending) await this.pending;
  }

  private async afterCycle(cycle: EvaluatedCycle): Promise<Record<string, unknown> | void> {
    const heartbeat = this.config.current.heartbeat;
    if (!heartbeat) return;
    if (!(await this.takeSlot(cycle.nowMs, heartbeat.intervalMs))) return { sent: false };
    // Off the cycle's path: a slow endpoint never delays evaluation.
    const ping = this.ping(heartbeat.url).finally(() => {
      if (this.pending === ping) this.pending = null;
    });
    this.pending = ping;
    return { sent: true };
  }

  private async takeSlot(nowMs: number, intervalMs: number): Promise<boolean> {
    if (!this.redis) {
      if (nowMs - this.lastSentAtMs < intervalMs) return false;
      this.lastSentAtMs = nowMs;
      return true;
    }
    const key = `${this.config.current.server.redisPrefix}heartbeat:slot`;
    return (await this.redis.set(key, String(nowMs), 'PX', Math.max(1, intervalMs), 'NX')) === 'OK';
  }

  private async ping(url: string): Promise<void> {
    const started = this.clock.now();
    try {
      const response = await this.http.get(url);
      if (response.status >= 200 && response.status < 300) this.logger.debug({ status: response.status }, 'heartbeat sent');
      else this.logger.warn({ status: response.status }, 'heartbeat refused');
    } catch (error) {
      const reason = scrubReason(error instanceof Error ? error.message : String(error), urlSecrets(url));
      this.logger.warn({ reason, ms: this.clock.now() - started }, 'heartbeat failed');
    }
  }
}
