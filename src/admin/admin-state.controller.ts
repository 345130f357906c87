import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { AcceptedLossSchema, StateExport, StateExportSchema, StateImportResult, StateImportResultSchema } from './admin-api.schema';
import { AcceptedLoss, StateLossService } from './state-loss.service';
import { StateTransferService } from './state-transfer.service';

/** SPEC §5: a state export may be large; this route alone takes bodies up to 256 MiB (the others 5 MiB). */
export const STATE_IMPORT_BODY_LIMIT = 256 * 1024 * 1024;

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/state')
export class AdminStateController {
  constructor(
    private readonly stateLoss: StateLossService,
    private readonly transfer: StateTransferService,
  ) {}

  @Get()
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Export the durable state (SPEC §5, §10): freezes, overrides, silences, alert states, pending notifications, the audit and deploy markers. No event buckets, no secrets.',
  })
  @ApiOkResponse({ schema: apiRef(StateExportSchema) })
  @ApiErrors(401, 403, 503)
  exportState(): Promise<StateExport> {
    return this.transfer.exportState();
  }

  @Put()
  @HttpCode(200)
  @RequireScope('admin')
  @RouteConfig({ bodyLimit: STATE_IMPORT_BODY_LIMIT })
  @ApiOperation({
    summary:
      'Import a state export (SPEC §5, §12), merging each kind of record by its key; validated whole before anything is written. Clears a recorded state loss. Audited. Bodies up to 256 MiB.',
  })
  @ApiBody({ schema: apiRef(StateExportSchema) })
  @ApiOkResponse({ schema: apiRef(StateImportResultSchema) })
  @ApiErrors([400, 'malformed export: one detail per problem, nothing imported'], 401, 403, 413, 503)
  importState(@Body() body: unknown, @TokenName() actor: string): Promise<StateImportResult> {
    return this.transfer.importState(body, actor);
  }

  @Post('accept-loss')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Acknowledge a detected loss of the shared state (SPEC §12): the deploy gate stops denying every change but rollback and security, budgets lose stateLostAt, the heartbeat resumes. Audited.',
  })
  @ApiOkResponse({ schema: apiRef(AcceptedLossSchema) })
  @ApiErrors(401, 403, 503)
  accept(@TokenName() actor: string): Promise<AcceptedLoss> {
    return this.stateLoss.accept(actor);
  }
}
