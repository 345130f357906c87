import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, Logger } from '@nestjs/common';
import type { AppConfig, NotifierConfig } from '../../src/config/app-config';
import { ConfigHolder } from '../../src/config/config-holder';
import { loadConfig } from '../../src/config/config.loader';
import type { BudgetNumbers } from '../../src/slo/domain/budget-math';
import type { SloEvaluationRecord } from '../../src/slo/ports/evaluation.repository';
import type { ChangeEvent, ChangeEventSender } from '../../src/notifiers/ports/change-events';
import type { DeliveryTrigger } from '../../src/notifiers/ports/delivery-trigger';
import type { NotificationMessage } from '../../src/notifiers/ports/notification-message';
import type { DeliveryResult } from '../../src/notifiers/drivers/notifier-driver';
import { NotifierDrivers } from '../../src/notifiers/drivers/notifier-drivers';
import type { Correction } from '../../src/slo/domain/corrections';
import type { CorrectionsReader } from '../../src/slo/ports/corrections';
import { configuredCorrection } from '../../src/policies/corrections/correction-view';

/**
 * What the service tests share: configs read from YAML by the project's loader, and the few
 * hand-written fakes for collaborators that would otherwise reach the network (drivers, change
 * events) or another service (the delivery trigger). State lives in the in-memory adapters of
 * `src/store/memory`, time in a `ManualClock`.
 */

/** The instant every service test starts at. */
export const T0 = Date.parse('2026-11-21T10:00:00.000Z');
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** Reads `yaml` with the project's config loader (validation, defaults, normalisation) from a temp file. */
export function loadYamlConfig(yaml: string): AppConfig {
  const dir = mkdtempSync(join(tmpdir(), 'slo-engine-service-'));
  try {
    const path = join(dir, 'config.yaml');
    writeFileSync(path, yaml);
    return loadConfig({ path, env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The config in force, from YAML; a reload reads the same YAML again (tests replace it with `replace`). */
export function configHolder(yaml: string): ConfigHolder {
  return new ConfigHolder(loadYamlConfig(yaml), () => loadYamlConfig(yaml));
}

/** Nest's static logger writes to the console; the services log every notification and decision. */
export function quietNestLogs(): void {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));
}

/** Numbers of a successful evaluation with `remaining` of the budget left (the services read them, never recompute them). */
export function budgetNumbers(remaining: number, burnRates: Record<string, number> = {}): BudgetNumbers {
  return { sli: 0.999, good: 9_990, total: 10_000, remaining, consumed: 1 - remaining, exhaustsAtMs: null, burnRates, noData: false };
}

/** A successful evaluation record at `atMs`. */
export function evaluatedRecord(slo: string, atMs: number, options: { remaining?: number; rulesHeld?: string[] } = {}): SloEvaluationRecord {
  return {
    slo,
    evaluatedAtMs: atMs,
    numbers: budgetNumbers(options.remaining ?? 1),
    rulesHeld: options.rulesHeld ?? [],
    lastAttemptAtMs: atMs,
    consecutiveFailures: 0,
    lastError: null,
  };
}

/**
 * The `CORRECTIONS` port without the app (the app provides it from the policies' CorrectionService):
 * the corrections of the config in force, mapped as the service maps them, then `stored` (API
 * corrections; push to it to add one).
 */
export class MemoryCorrections implements CorrectionsReader {
  constructor(
    private readonly config: ConfigHolder,
    readonly stored: Correction[] = [],
  ) {}
  async all(): Promise<Correction[]> {
    return [...this.config.current.corrections.map(configuredCorrection), ...this.stored];
  }
}

/** Delivery's "drain soon" nudge, counted. */
export class RecordingDeliveryTrigger implements DeliveryTrigger {
  kicks = 0;
  kick(): void {
    this.kicks++;
  }
}

/** Change events kept instead of sent. */
export class RecordingChangeEventSender implements ChangeEventSender {
  readonly events: ChangeEvent[] = [];
  publish(event: ChangeEvent): void {
    this.events.push(event);
  }
  async idle(): Promise<void> {}
}

export interface SentNotification {
  atMs: number;
  receiver: string;
  action: NotificationMessage['action'];
  dedupKey: string;
}

/**
 * The drivers of every receiver type, replaced by a script: each send is recorded (with the clock's
 * time) and answered the next scripted result for its receiver, `delivered` when none is left.
 */
export class ScriptedDrivers extends NotifierDrivers {
  readonly sent: SentNotification[] = [];
  private readonly scripts = new Map<string, DeliveryResult[]>();

  constructor(private readonly now: () => number) {
    super();
  }

  /** the next sends to `receiver` are answered these results, in turn */
  script(receiver: string, ...results: DeliveryResult[]): void {
    this.scripts.set(receiver, [...(this.scripts.get(receiver) ?? []), ...results]);
  }

  override async send(message: NotificationMessage, notifier: NotifierConfig): Promise<DeliveryResult> {
    this.sent.push({ atMs: this.now(), receiver: notifier.name, action: message.action, dedupKey: message.dedupKey });
    return this.scripts.get(notifier.name)?.shift() ?? { outcome: 'delivered' };
  }
}
