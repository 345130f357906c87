import { Module } from '@nestjs/common';
import { SloModule } from '../slo/slo.module';
import { NotifiersModule } from '../notifiers/notifiers.module';
import { DeployGateController } from './deploy-gate.controller';
import { DeployGateService } from './deploy-gate.service';
import { FreezesController } from './freezes.controller';
import { OverridesController } from './overrides.controller';
import { PolicyAdminService } from './policy-admin.service';
import { ServicesController } from './services.controller';
import { GateDecisionCounters } from './gate-decision-counters';
import { CorrectionsModule } from './corrections/corrections.module';

/** The error-budget policy: deploy gate, freezes, overrides, corrections, audit, deploy markers. */
@Module({
  imports: [SloModule, NotifiersModule, CorrectionsModule],
  controllers: [DeployGateController, FreezesController, OverridesController, ServicesController],
  providers: [DeployGateService, PolicyAdminService, GateDecisionCounters],
  exports: [GateDecisionCounters],
})
export class PoliciesModule {}
