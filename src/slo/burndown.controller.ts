import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { apiRef, ApiZodQuery } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import { BurndownService, DEFAULT_BURNDOWN_POINTS } from './burndown.service';
import { BurndownQuerySchema, BurndownSchema } from './slo-api.schema';

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/burndown')
export class BurndownController {
  constructor(private readonly burndowns: BurndownService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary:
      "Every SLO's (or a service's SLOs') remaining budget over its whole window (rolling) or current period (calendar), at evenly spaced instants ending now: the history's `remaining` at those instants, for the board's burn-down lines",
  })
  @ApiZodQuery(BurndownQuerySchema)
  @ApiOkResponse({ schema: apiRef(BurndownSchema) })
  @ApiErrors(400, 401, 403, [404, 'unknown service'], 503)
  burndown(@Query() query: unknown) {
    const q = parseInput(BurndownQuerySchema, query, 'invalid query');
    return this.burndowns.burndown({ service: q.service, points: q.points ?? DEFAULT_BURNDOWN_POINTS });
  }
}
