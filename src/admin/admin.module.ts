import { Module } from '@nestjs/common';
import { AdminStateController } from './admin-state.controller';
import { StateLossService } from './state-loss.service';
import { StateTransferService } from './state-transfer.service';

/** Operating the shared state (SPEC §5, §12): accepting a detected loss, exporting and importing the state. */
@Module({ controllers: [AdminStateController], providers: [StateLossService, StateTransferService] })
export class AdminModule {}
