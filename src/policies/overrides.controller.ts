import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { parseInput, queryInt, timestampSchema } from '../common/parse-input';
import { PolicyAdminService } from './policy-admin.service';
import { AdminChangeListDto, OverrideDto, OverrideListDto, OverrideRequestDto } from './dto/policy.dto';

const overrideRequest = z
  .object({
    service: z.string().trim().min(1).max(128),
    reason: z.string().trim().min(1, 'must not be empty').max(1024),
    expiresAt: timestampSchema,
    approvedBy: z.string().trim().min(1, 'must not be empty').max(256),
  })
  .strict();

@ApiTags('overrides')
@ApiBearerAuth()
@Controller('v1')
export class OverridesController {
  constructor(private readonly admin: PolicyAdminService) {}

  @Post('overrides')
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Let every change of the service pass until expiresAt (at most 7 days)' })
  @ApiBody({ type: OverrideRequestDto })
  @ApiCreatedResponse({ type: OverrideDto })
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(overrideRequest, body, 'invalid override');
    return this.admin.createOverride(
      { service: input.service, reason: input.reason, expiresAtMs: input.expiresAt, approvedBy: input.approvedBy },
      actor,
    );
  }

  @Get('overrides')
  @RequireScope('read')
  @ApiOperation({ summary: 'Overrides not yet expired' })
  @ApiOkResponse({ type: OverrideListDto })
  async list() {
    return { overrides: await this.admin.listOverrides() };
  }

  @Delete('overrides/:id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete an override' })
  @ApiNoContentResponse()
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.admin.deleteOverride(id, actor);
  }

  @Get('audit')
  @RequireScope('read')
  @ApiOperation({ summary: 'Changes to freezes, overrides and silences, newest first (kept: the last 10,000)' })
  @ApiQuery({ name: 'limit', required: false, description: 'default 100, at most 1000' })
  @ApiOkResponse({ type: AdminChangeListDto })
  async audit(@Query() query: unknown) {
    const q = parseInput(z.object({ limit: queryInt(1, 1000).optional() }).strict(), query, 'invalid query');
    return { changes: await this.admin.listChanges(q.limit ?? 100) };
  }
}
