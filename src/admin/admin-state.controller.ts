import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { AcceptedLossSchema } from './admin-api.schema';
import { AcceptedLoss, StateLossService } from './state-loss.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/state')
export class AdminStateController {
  constructor(private readonly stateLoss: StateLossService) {}

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
