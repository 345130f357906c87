import { Module } from '@nestjs/common';
import { SilenceService } from './silence.service';
import { SilencesController } from './silences.controller';

/**
 * Silences: the admin API, and `SilenceService.activeSilences` for the delivery side. State comes
 * from the global StoreModule (POLICY_STATE), config and clock from the global CoreModule.
 */
@Module({
  controllers: [SilencesController],
  providers: [SilenceService],
  exports: [SilenceService],
})
export class SilencesModule {}
