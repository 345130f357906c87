import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef, ApiZodQuery } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import {
  IncidentListSchema,
  IncidentSchema,
  IncidentsQuerySchema,
  PostmortemRequestSchema,
  ReliabilityQuerySchema,
  ReliabilitySchema,
} from './incident-api.schema';
import { IncidentQueryService } from './incident-query.service';
import type { IncidentList, IncidentView } from './incident-view';
import type { ReliabilitySummary } from './domain/reliability';

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('v1/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentQueryService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Incidents of paging alerts, newest first (SPEC §13), with time to detect and resolve, budget cost and postmortem' })
  @ApiZodQuery(IncidentsQuerySchema)
  @ApiOkResponse({ schema: apiRef(IncidentListSchema) })
  @ApiErrors(400, 401, 403, 503)
  list(@Query() query: unknown): Promise<IncidentList> {
    const q = parseInput(IncidentsQuerySchema, query, 'invalid query');
    return this.incidents.list({ service: q.service, state: q.state, fromMs: q.from, toMs: q.to, limit: q.limit, cursor: q.cursor });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'One incident with its timeline' })
  @ApiOkResponse({ schema: apiRef(IncidentSchema) })
  @ApiErrors(401, 403, [404, 'unknown incident'], 503)
  get(@Param('id') id: string): Promise<IncidentView> {
    return this.incidents.get(id);
  }

  @Put(':id/postmortem')
  @RequireScope('admin')
  @ApiOperation({ summary: "Write or rewrite the incident's postmortem: its url, summary and action items (audited as postmortem.update)" })
  @ApiBody({ schema: apiRef(PostmortemRequestSchema) })
  @ApiOkResponse({ schema: apiRef(IncidentSchema) })
  @ApiErrors([400, 'invalid postmortem (url not http(s), bad category, bad dueAt, empty title or owner): one detail per problem'], 401, 403, [404, 'unknown incident'], 409, 413, 503)
  putPostmortem(@Param('id') id: string, @Body() body: unknown, @TokenName() actor: string): Promise<IncidentView> {
    const input = parseInput(PostmortemRequestSchema, body, 'invalid postmortem');
    return this.incidents.putPostmortem(id, input, actor);
  }
}

@ApiTags('incidents')
@ApiBearerAuth()
@Controller('v1/services')
export class ReliabilityController {
  constructor(private readonly incidents: IncidentQueryService) {}

  @Get(':service/reliability')
  @RequireScope('read')
  @ApiOperation({ summary: "A service's reliability over a window: MTTD, MTTR, incidents, the budget they consumed, postmortems and action items (SPEC §13)" })
  @ApiZodQuery(ReliabilityQuerySchema)
  @ApiOkResponse({ schema: apiRef(ReliabilitySchema) })
  @ApiErrors(400, 401, 403, [404, 'unknown service'], 503)
  reliability(@Param('service') service: string, @Query() query: unknown): Promise<ReliabilitySummary> {
    const q = parseInput(ReliabilityQuerySchema, query, 'invalid query');
    return this.incidents.reliability(service, q.window);
  }
}
