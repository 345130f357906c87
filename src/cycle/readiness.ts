import { Injectable } from '@nestjs/common';

/** What /readyz needs to know besides Redis: has a first evaluation cycle completed? */
@Injectable()
export class Readiness {
  firstCycleCompletedAt: number | null = null;
  shuttingDown = false;
}
