import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TokenName } from '../auth/token-name.decorator';
import { parseInput } from '../common/parse-input';
import { decisionsQuerySchema, gateRequestSchema } from './gate-request';
import { DeployGateService } from './deploy-gate.service';
import { DecisionListDto, GateRequestDto, GateResponseDto } from './dto/policy.dto';
import { Inject } from '@nestjs/common';
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
  @ApiBody({ type: GateRequestDto })
  @ApiOkResponse({ type: GateResponseDto })
  decide(@Body() body: unknown, @TokenName() token: string) {
    return this.gate.decide(parseInput(gateRequestSchema, body), token);
  }

  @Get('decisions')
  @RequireScope('read')
  @ApiOperation({ summary: 'Audited gate decisions, newest first (kept: 10,000 overall, 1,000 per service)' })
  @ApiQuery({ name: 'service', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'default 50, at most 1000' })
  @ApiOkResponse({ type: DecisionListDto })
  async decisions(@Query() query: unknown) {
    const q = parseInput(decisionsQuerySchema, query, 'invalid query');
    return { decisions: await this.state.listDecisions({ service: q.service, limit: q.limit ?? 50 }) };
  }
}
