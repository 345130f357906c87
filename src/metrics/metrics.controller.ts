import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ApiErrors } from '../common/error-api.schema';
import { MetricsService } from './metrics.service';

/** Prometheus text exposition format 0.0.4, as prom-client's default registry writes it. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @RequireScope('read')
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE) // an error replaces it with JSON (ApiExceptionFilter's sendError)
  @ApiOperation({ summary: 'Prometheus exposition: budgets, burn rates, zones, firing alerts, evaluation and notification counters, process defaults' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', schema: { type: 'string' } })
  @ApiErrors(401, 403, [503, 'state store (Redis) unavailable: JSON in the error shape, not the exposition'])
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
