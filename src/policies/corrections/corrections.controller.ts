import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../../auth/require-scope.decorator';
import { TokenName } from '../../auth/token-name.decorator';
import { apiRef } from '../../common/api-schema';
import { ApiErrors } from '../../common/error-api.schema';
import { parseInput } from '../../common/parse-input';
import { MAX_API_CORRECTIONS } from '../ports/correction.repository';
import { CorrectionService } from './correction.service';
import { CorrectionList, CorrectionListSchema, CorrectionRequestSchema, CorrectionSchema } from './corrections-api.schema';

@ApiTags('corrections')
@ApiBearerAuth()
@Controller('v1/corrections')
export class CorrectionsController {
  constructor(private readonly corrections: CorrectionService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Create a correction: planned maintenance taken out of the budget of one SLO, of every SLO of a service, or of every SLO ("*"), once or repeated daily or weekly; past windows change too',
  })
  @ApiBody({ schema: apiRef(CorrectionRequestSchema) })
  @ApiCreatedResponse({ schema: apiRef(CorrectionSchema) })
  @ApiErrors(
    [400, 'invalid correction (neither or both of slo and service, unknown SLO or service, bad start or end, end ≤ start, neither or both of duration and end, unknown repeat, duration not shorter than the repeat period, reason missing or empty): one detail per problem'],
    401,
    403,
    [409, `already ${MAX_API_CORRECTIONS} corrections created through the API`],
    413,
    503,
  )
  create(@Body() body: unknown, @TokenName() actor: string) {
    const spec = parseInput(CorrectionRequestSchema, body, 'invalid correction');
    return this.corrections.create(spec, actor);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Every correction: those of the config (source config) first, then those created through the API (source api), oldest first' })
  @ApiOkResponse({ schema: apiRef(CorrectionListSchema) })
  @ApiErrors(401, 403, 503)
  async list(): Promise<CorrectionList> {
    return { corrections: await this.corrections.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a correction created through the API (the budget numbers are as if it never existed)' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(401, 403, [404, 'unknown correction'], [409, 'a correction of the config: remove it from the config'], 503)
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.corrections.delete(id, actor);
  }
}
