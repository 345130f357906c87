import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DeliveryWorker } from '../notifiers/delivery/delivery.worker';

/** Starts the delivery worker's poll loop; part of the scheduler, so tests that drive time themselves leave it out. */
@Injectable()
export class DeliveryLoop implements OnApplicationBootstrap {
  constructor(private readonly worker: DeliveryWorker) {}

  onApplicationBootstrap(): void {
    this.worker.start();
  }
}
