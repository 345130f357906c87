import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../../auth/require-scope.decorator';
import { TokenName } from '../../auth/token-name.decorator';
import { apiRef } from '../../common/api-schema';
import { ApiErrors } from '../../common/error-api.schema';
import { parseInput } from '../../common/parse-input';
import { SilenceService } from './silence.service';
import { SilenceList, SilenceListSchema, SilenceRequestSchema, SilenceSchema } from './silence-api.schema';

@ApiTags('silences')
@ApiBearerAuth()
@Controller('v1/silences')
export class SilencesController {
  constructor(private readonly silences: SilenceService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Silence the notifications (not the evaluation) of one SLO or of every SLO of a service, until `until` (at most 30 days)' })
  @ApiBody({ schema: apiRef(SilenceRequestSchema) })
  @ApiCreatedResponse({ schema: apiRef(SilenceSchema) })
  @ApiErrors([400, 'invalid silence (neither or both of slo and service, unknown SLO or service, until past or over 30 days ahead): one detail per problem'], 401, 403, 413, 503)
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(SilenceRequestSchema, body, 'invalid silence');
    return this.silences.create({ slo: input.slo, service: input.service, untilMs: input.until, reason: input.reason }, actor);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Silences not yet ended, oldest first' })
  @ApiOkResponse({ schema: apiRef(SilenceListSchema) })
  @ApiErrors(401, 403, 503)
  async list(): Promise<SilenceList> {
    return { silences: await this.silences.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a silence' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(401, 403, [404, 'unknown silence'], 503)
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.silences.delete(id, actor);
  }
}
