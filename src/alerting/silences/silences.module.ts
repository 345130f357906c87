import { Module } from '@nestjs/common';
import { SilenceService } from './silence.service';
import { SilencesController } from './silences.controller';

/**
 * Silences: the admin API, and `SilenceService.activeSilences` for the alerting step. State comes
 * from the global StoreModule (SILENCE_REPOSITORY, ADMIN_AUDIT), config and clock from the global
 * CoreModule.
 */
@Module({
  controllers: [SilencesController],
  providers: [SilenceService],
  exports: [SilenceService],
})
export class SilencesModule {}
