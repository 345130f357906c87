import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import { PolicyAdminService } from './policy-admin.service';
import { FreezeList, FreezeListSchema, FreezeRequestSchema, FreezeSchema } from './policy-api.schema';

@ApiTags('freezes')
@ApiBearerAuth()
@Controller('v1/freezes')
export class FreezesController {
  constructor(private readonly admin: PolicyAdminService) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Create a freeze window: denies all but rollback and security changes of the service ("*": all)' })
  @ApiBody({ schema: apiRef(FreezeRequestSchema) })
  @ApiCreatedResponse({ schema: apiRef(FreezeSchema) })
  @ApiErrors([400, 'invalid freeze (end ≤ start, end past, reason empty, unknown service): one detail per problem'], 401, 403, 413, 503)
  create(@Body() body: unknown, @TokenName() actor: string) {
    const input = parseInput(FreezeRequestSchema, body, 'invalid freeze');
    return this.admin.createFreeze({ service: input.service, startMs: input.start, endMs: input.end, reason: input.reason }, actor);
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Freezes not yet ended' })
  @ApiOkResponse({ schema: apiRef(FreezeListSchema) })
  @ApiErrors(401, 403, 503)
  async list(): Promise<FreezeList> {
    return { freezes: await this.admin.listFreezes() };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Delete a freeze' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(401, 403, [404, 'unknown freeze'], 503)
  async remove(@Param('id') id: string, @TokenName() actor: string): Promise<void> {
    await this.admin.deleteFreeze(id, actor);
  }
}
