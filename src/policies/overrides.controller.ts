import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef, ApiZodQuery } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import { PolicyAdminService } from './policy-admin.service';
import {
  AdminChangeList,
  AdminChangeListSchema,
  AuditQuerySchema,
  OverrideList,
  OverrideListSchema,
  OverrideRequestSchema,
  OverrideSchema,
} from './policy-api.schema';

@ApiTags('overrides')
@ApiBearerAuth()
@Controller('v1')
export class OverridesController {
  constructor(private readonly admin: PolicyAdminService) {}

  @Post('overrides')
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Let every change of the service pass until expiresAt (at most 7 days)' })
  @ApiBody({ schema: apiRef(OverrideRequestSchema) })
  @ApiCreatedResponse({ schema: apiRef(OverrideSchema) })
  @ApiErrors([400, 'invalid override (expiresAt past or over 7 days ahead, unknown service): one detail per problem'], 401, 403, 413, 503)
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(OverrideRequestSchema, body, 'invalid override');
    return this.admin.createOverride(
      { service: input.service, reason: input.reason, expiresAtMs: input.expiresAt, approvedBy: input.approvedBy },
      actor,
    );
  }

  @Get('overrides')
  @RequireScope('read')
  @ApiOperation({ summary: 'Overrides not yet expired' })
  @ApiOkResponse({ schema: apiRef(OverrideListSchema) })
  @ApiErrors(401, 403, 503)
  async list(): Promise<OverrideList> {
    return { overrides: await this.admin.listOverrides() };
  }

  @Delete('overrides/:id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete an override' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(401, 403, [404, 'unknown override'], 503)
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.admin.deleteOverride(id, actor);
  }

  @Get('audit')
  @RequireScope('read')
  @ApiOperation({ summary: 'Changes to freezes, overrides, silences and corrections, newest first (kept: the last 10,000)' })
  @ApiZodQuery(AuditQuerySchema)
  @ApiOkResponse({ schema: apiRef(AdminChangeListSchema) })
  @ApiErrors(400, 401, 403, 503)
  async audit(@Query() query: unknown): Promise<AdminChangeList> {
    const q = parseInput(AuditQuerySchema, query, 'invalid query');
    return { changes: await this.admin.listChanges(q.limit ?? 100) };
  }
}
