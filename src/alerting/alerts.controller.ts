import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { AlertQueryService } from './alert-query.service';
import { AlertListDto } from './alert.dto';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertQueryService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Firing alerts: burn-rate pages and tickets, and source-unavailable tickets' })
  @ApiOkResponse({ type: AlertListDto })
  async list() {
    return { alerts: await this.alerts.firing() };
  }
}
