import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import { safeInterval, safeTimeout, type SafeTimer } from '../common/safe-timer';
import { EvaluationCycle } from './evaluation-cycle';
import { Readiness } from './readiness';

/**
 * Thin scheduler: the first cycle at start-up, then one every `EVALUATION_INTERVAL`. A reload that
 * changes the interval re-arms the timer. The timers hold any interval (a plain `setInterval` of
 * more than ~24.8 days fires every millisecond); a stalled cycle never holds the next tick (the
 * cycle abandons it at its stall deadline).
 */
@Injectable()
export class EvaluationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EvaluationScheduler.name);
  private intervalMs = 0;
  private retryDelayMs = 0;
  private interval: SafeTimer | null = null;
  private retryTimer: SafeTimer | null = null;

  constructor(
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
    this.retryTimer?.clear();
    this.retryTimer = null;
    this.interval?.clear();
    this.interval = null;
  }

  private arm(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.interval?.clear();
    this.intervalMs = intervalMs;
    this.interval = safeInterval(() => void this.tick(), intervalMs);
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
    this.retryTimer = safeTimeout(() => {
      this.retryTimer = null;
      void this.tick();
    }, this.retryDelayMs);
  }
}
