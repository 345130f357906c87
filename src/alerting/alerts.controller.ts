import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { AlertQueryService } from './alert-query.service';
import { AlertList, AlertListSchema } from './alert-api.schema';

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertQueryService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Firing alerts: burn-rate pages and tickets, and source-unavailable tickets' })
  @ApiOkResponse({ schema: apiRef(AlertListSchema) })
  @ApiErrors(401, 403, 503)
  async list(): Promise<AlertList> {
    return { alerts: await this.alerts.firing() };
  }
}
