import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { apiRef, ApiZodQuery } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import { DeployGateService } from './deploy-gate.service';
import { DecisionList, DecisionListSchema, DecisionsQuerySchema, GateRequestSchema, GateResponseSchema } from './policy-api.schema';
import { POLICY_STATE, PolicyStateRepository } from './ports/policy-state.repository';

@ApiTags('deploy gate')
@ApiBearerAuth()
@Controller('v1/deploy-gate')
export class DeployGateController {
  constructor(
    private readonly gate: DeployGateService,
    @Inject(POLICY_STATE) private readonly state: PolicyStateRepository,
  ) {}

  @Post()
  @HttpCode(200)
  @RequireScope('gate')
  @ApiOperation({ summary: 'May this change of the service ship now? (SPEC §7; answered from the latest evaluation)' })
  @ApiBody({ schema: apiRef(GateRequestSchema) })
  @ApiOkResponse({ schema: apiRef(GateResponseSchema) })
  @ApiErrors(400, 401, 403, [404, 'unknown service'], 413, 503)
  decide(@Body() body: unknown, @TokenName() token: string) {
    return this.gate.decide(parseInput(GateRequestSchema, body), token);
  }

  @Get('decisions')
  @RequireScope('read')
  @ApiOperation({ summary: 'Audited gate decisions, newest first (kept: 10,000 overall, 1,000 per service)' })
  @ApiZodQuery(DecisionsQuerySchema)
  @ApiOkResponse({ schema: apiRef(DecisionListSchema) })
  @ApiErrors(400, 401, 403, 503)
  async decisions(@Query() query: unknown): Promise<DecisionList> {
    const q = parseInput(DecisionsQuerySchema, query, 'invalid query');
    return { decisions: await this.state.listDecisions({ service: q.service, limit: q.limit ?? 50 }) };
  }
}
