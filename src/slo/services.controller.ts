import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { SloQueryService } from './slo-query.service';
import { ServiceBudgetDto } from './dto/budget.dto';

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/services')
export class ServicesController {
  constructor(private readonly slos: SloQueryService) {}

  @Get(':service/budget')
  @RequireScope('read')
  @ApiOperation({ summary: "A service's zone, feature gate, SLO budgets and recent deploys" })
  @ApiOkResponse({ type: ServiceBudgetDto })
  budget(@Param('service') service: string) {
    return this.slos.serviceBudget(service);
  }
}
