import { Module } from '@nestjs/common';
import { AdminStateController } from './admin-state.controller';
import { StateLossService } from './state-loss.service';

/** Operating the shared state (SPEC §5, §12): accepting a detected loss; export and import come here too. */
@Module({ controllers: [AdminStateController], providers: [StateLossService] })
export class AdminModule {}
