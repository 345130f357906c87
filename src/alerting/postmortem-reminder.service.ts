import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigHolder } from '../config/config-holder';
import { DELIVERY_TRIGGER, DeliveryTrigger } from '../notifiers/ports/delivery-trigger';
import type { PostmortemReminder, ReminderSender } from '../notifiers/ports/reminders';
import { reminderReceivers, serviceTeam } from './domain/reminder-routing';
import { REMINDER_OUTBOX, ReminderOutbox } from './ports/reminder-outbox';
import { reminderDeliveryOf, reminderMessage } from './reminder-message';

/**
 * The notifiers' `REMINDERS` port (SPEC §6, §13), implemented here because alerting decides who is
 * told: each postmortem reminder is routed like a ticket of its incident's service (kind
 * `postmortem`, see `domain/reminder-routing.ts`), and recorded — one delivery per receiver — with
 * its "reminded" mark in one atomic step (`ReminderOutbox`), so a key is recorded once however many
 * replicas, cycles or restarts ask. A reminder no route reaches is marked all the same (and logged).
 */
@Injectable()
export class PostmortemReminderService implements ReminderSender {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly config: ConfigHolder,
    @Inject(REMINDER_OUTBOX) private readonly outbox: ReminderOutbox,
    @Inject(DELIVERY_TRIGGER) private readonly delivery: DeliveryTrigger,
  ) {}

  async remind(reminders: readonly PostmortemReminder[], nowMs: number): Promise<string[]> {
    const config = this.config.current;
    const recorded: string[] = [];
    const asked = new Set<string>();
    let notifications = 0;
    try {
      for (const reminder of reminders) {
        if (asked.has(reminder.key)) continue;
        asked.add(reminder.key);
        const team = serviceTeam(config.slos, reminder.service);
        const message = reminderMessage(reminder, team, nowMs);
        const receivers = reminderReceivers(reminder.service, team, config.routes, config.notifiers);
        const deliveries = receivers.map((receiver) => reminderDeliveryOf(receiver, message, nowMs));
        if (!(await this.outbox.recordReminder(reminder.key, deliveries, nowMs))) continue;
        recorded.push(reminder.key);
        notifications += deliveries.length;
        const fields = { key: reminder.key, incident: reminder.incidentId, service: reminder.service, dedupKey: message.dedupKey, receivers };
        if (receivers.length === 0) this.logger.warn({ reminder: fields }, 'postmortem reminder reaches no receiver: no route matches it');
        else this.logger.log({ reminder: fields }, 'postmortem reminder recorded');
      }
    } finally {
      if (notifications > 0) this.delivery.kick();
    }
    return recorded;
  }
}
