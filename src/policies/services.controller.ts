import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { DeployGateService } from './deploy-gate.service';
import { ServiceBudgetSchema } from './policy-api.schema';

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(private readonly gate: DeployGateService) {}

  @Get(':service/budget')
  @RequireScope('read')
  @ApiOperation({ summary: "A service's zone, the gate's answer and reasons for each change type now, SLO budgets and recent deploys with the budget spent since" })
  @ApiOkResponse({ schema: apiRef(ServiceBudgetSchema) })
  @ApiErrors(401, 403, [404, 'unknown service'], 503)
  budget(@Param('service') service: string) {
    return this.gate.serviceBudget(service);
  }
}
