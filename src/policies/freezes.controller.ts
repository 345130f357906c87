import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { parseInput, timestampSchema } from '../common/parse-input';
import { PolicyAdminService } from './policy-admin.service';
import { FreezeDto, FreezeListDto, FreezeRequestDto } from './dto/policy.dto';

const freezeRequest = z
  .object({
    service: z.string().trim().min(1).max(128),
    start: timestampSchema,
    end: timestampSchema,
    reason: z.string().trim().min(1, 'must not be empty').max(1024),
  })
  .strict();

@ApiTags('freezes')
@ApiBearerAuth()
@Controller('v1/freezes')
export class FreezesController {
  constructor(private readonly admin: PolicyAdminService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Create a freeze window: denies all but rollback and security changes of the service ("*": all)' })
  @ApiBody({ type: FreezeRequestDto })
  @ApiCreatedResponse({ type: FreezeDto })
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(freezeRequest, body, 'invalid freeze');
    return this.admin.createFreeze({ service: input.service, startMs: input.start, endMs: input.end, reason: input.reason }, actor);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Freezes not yet ended' })
  @ApiOkResponse({ type: FreezeListDto })
  async list() {
    return { freezes: await this.admin.listFreezes() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a freeze' })
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.admin.deleteFreeze(id, actor);
  }
}
