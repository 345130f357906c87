import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ConfigHolder } from '../config/config-holder';
import { EvaluationCycle } from './evaluation-cycle';
import { Readiness } from './readiness';

const INTERVAL_NAME = 'evaluation-cycle';

/**
 * Thin scheduler: the first cycle at start-up, then one every `EVALUATION_INTERVAL`. A reload that
 * changes the interval re-arms the timer.
 */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EvaluationScheduler.name);
  private intervalMs = 0;
  private retryDelayMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly evaluation: EvaluationCycle,
    private readonly config: ConfigHolder,
    private readonly readiness: Readiness,
  ) {}

  onApplicationBootstrap(): void {
    this.arm(this.config.current.server.evaluationIntervalMs);
    this.config.onReplace((next) => this.arm(next.server.evaluationIntervalMs));
    void this.tick();
  }

  onApplicationShutdown(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
  }

  private arm(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    this.intervalMs = intervalMs;
    this.registry.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), intervalMs));
    this.logger.log({ intervalMs }, 'evaluation scheduled');
  }

  private async tick(): Promise<void> {
    try {
      const summary = await this.evaluation.runCycle();
      if (summary.error && this.readiness.firstCycleCompletedAt === null) this.retrySoon();
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'evaluation tick failed');
    }
  }

  /** Until a first cycle has completed (e.g. Redis not up yet), retry sooner than the interval. */
  private retrySoon(): void {
    if (this.retryTimer) return;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2 || 500, this.intervalMs, 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.tick();
    }, this.retryDelayMs);
  }
}
