import { Global, Module } from '@nestjs/common';
import { CORRECTIONS } from '../../slo/ports/corrections';
import { CorrectionService } from './correction.service';
import { CorrectionsController } from './corrections.controller';

/**
 * Corrections (SPEC §4, §5): the admin API, and the `CORRECTIONS` port the evaluation reads them
 * through. Global only so that the evaluation (`slo`) gets `CORRECTIONS`, the port it declares,
 * without importing policies (as alerting provides `FIRING_ALERTS`). State comes from the global
 * StoreModule (CORRECTION_REPOSITORY, ADMIN_AUDIT), config and clock from the global CoreModule.
 */
@Global()
@Module({
  controllers: [CorrectionsController],
  providers: [CorrectionService, { provide: CORRECTIONS, useExisting: CorrectionService }],
  exports: [CorrectionService, CORRECTIONS],
})
export class CorrectionsModule {}
