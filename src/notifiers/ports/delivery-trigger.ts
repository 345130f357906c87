/**
 * What alerting may ask of delivery besides recording into the outbox: "there is something new to
 * send, don't wait for the next poll". The delivery worker implements it.
 */
export interface DeliveryTrigger {
  /** drains the outbox soon, without waiting; a no-op while delivery is not started */
  kick(): void;
}

export const DELIVERY_TRIGGER = Symbol('DELIVERY_TRIGGER');
