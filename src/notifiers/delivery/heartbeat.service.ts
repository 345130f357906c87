import { Inject, Injectable, Logger } from '@nestjs/common';
import axios, { AxiosInstance } from 'axios';
import { ConfigHolder } from '../../config/config-holder';
import { CLOCK, Clock } from '../../common/clock';
import { HEARTBEAT_SLOT, HeartbeatSlot } from '../ports/heartbeat-slot';
import { scrubReason, urlSecrets } from '../drivers/delivery-outcome';

/**
 * SPEC §6 dead man's switch: after a successful evaluation cycle (the cycle runs this step only
 * when its alerting step succeeded), `GET {heartbeat.url}` at most once per `heartbeat.interval`,
 * from whichever replica takes the heartbeat slot. If the engine stops evaluating or alerting, the
 * pings stop and the monitoring service on the other end pages. Best effort: a failed ping is
 * logged, not retried.
 */
@Injectable()
export class HeartbeatService {
  private readonly logger = new Logger('Heartbeat');
  private readonly http: AxiosInstance = axios.create({ timeout: 10_000, maxRedirects: 0, validateStatus: () => true });
  private pending: Promise<void> | null = null;

  constructor(
    private readonly config: ConfigHolder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEARTBEAT_SLOT) private readonly slot: HeartbeatSlot,
  ) {}

  /** Waits for a ping in flight (tests, shutdown). */
  async idle(): Promise<void> {
    if (this.pending) await this.pending;
  }

  /** The cycle's heartbeat step, at the cycle's time `nowMs`. */
  async afterCycle(nowMs: number): Promise<Record<string, unknown> | void> {
    const heartbeat = this.config.current.heartbeat;
    if (!heartbeat) return;
    if (!(await this.slot.take(nowMs, heartbeat.intervalMs))) return { sent: false };
    // Off the cycle's path: a slow endpoint never delays evaluation.
    const ping = this.ping(heartbeat.url).finally(() => {
      if (this.pending === ping) this.pending = null;
    });
    this.pending = ping;
    return { sent: true };
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
