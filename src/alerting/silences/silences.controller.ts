import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../../auth/require-scope.decorator';
import { TokenName } from '../../auth/token-name.decorator';
import { parseInput, timestampSchema } from '../../common/parse-input';
import { SilenceService } from './silence.service';
import { SilenceDto, SilenceListDto, SilenceRequestDto } from './silence.dto';

/** `null` reads as absent, so a silence as listed (`service: null`) can be posted back. */
const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128)
  .nullish()
  .transform((v) => v ?? undefined);

const silenceRequest = z
  .object({
    slo: name,
    service: name,
    until: timestampSchema,
    reason: z.string().trim().min(1, 'must not be empty').max(1024),
  })
  .strict();

@ApiTags('silences')
@ApiBearerAuth()
@Controller('v1/silences')
export class SilencesController {
  constructor(private readonly silences: SilenceService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Silence the notifications (not the evaluation) of one SLO or of every SLO of a service, until `until` (at most 30 days)' })
  @ApiBody({ type: SilenceRequestDto })
  @ApiCreatedResponse({ type: SilenceDto })
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(silenceRequest, body, 'invalid silence');
    return this.silences.create({ slo: input.slo, service: input.service, untilMs: input.until, reason: input.reason }, actor);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Silences not yet ended, oldest first' })
  @ApiOkResponse({ type: SilenceListDto })
  async list() {
    return { silences: await this.silences.list() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a silence' })
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.silences.delete(id, actor);
  }
}
