import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { apiRef, ApiZodQuery } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { parseInput } from '../common/parse-input';
import { CLOCK, Clock } from '../common/clock';
import { ValidationError } from '../common/domain-error';
import { MAX_PAGE, SloQueryService } from './slo-query.service';
import { SloHistoryService } from './slo-history.service';
import { BudgetSchema, HistorySchema, SloDetailSchema, SloHistoryQuerySchema, SloListQuerySchema, SloPageSchema } from './slo-api.schema';

const DAY_MS = 86_400_000;
const DEFAULT_STEP_MS = 300_000;

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/slos')
export class SlosController {
  constructor(
    private readonly slos: SloQueryService,
    private readonly histories: SloHistoryService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Budget objects of all SLOs, paginated' })
  @ApiZodQuery(SloListQuerySchema)
  @ApiOkResponse({ schema: apiRef(SloPageSchema) })
  @ApiErrors(400, 401, 403, 503)
  list(@Query() query: unknown) {
    const q = parseInput(SloListQuerySchema, query, 'invalid query');
    return this.slos.list({ service: q.service, limit: q.limit ?? MAX_PAGE, cursor: q.cursor });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'An SLO definition (secrets left out) and its budget' })
  @ApiOkResponse({ schema: apiRef(SloDetailSchema) })
  @ApiErrors(401, 403, [404, 'unknown SLO'], 503)
  detail(@Param('id') id: string) {
    return this.slos.detail(id);
  }

  @Get(':id/budget')
  @RequireScope('read')
  @ApiOperation({ summary: 'The budget object of one SLO' })
  @ApiOkResponse({ schema: apiRef(BudgetSchema) })
  @ApiErrors(401, 403, [404, 'unknown SLO'], 503)
  budget(@Param('id') id: string) {
    return this.slos.budget(id);
  }

  @Get(':id/history')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "The SLO numbers at each step, as an evaluation then would have given them: recomputed from stored events, or for a Prometheus SLO from the source's range queries (default last 24 h, step 5m; at most 2,000 points). Null points where the numbers cannot be known: an events SLO's point more than one SLO window back (the store does not keep its whole window), a Prometheus SLO's point without any sample. 503 when the metrics source does not answer within 10 s",
  })
  @ApiZodQuery(SloHistoryQuerySchema)
  @ApiOkResponse({ schema: apiRef(HistorySchema) })
  @ApiErrors(400, 401, 403, [404, 'unknown SLO'], 503)
  history(@Param('id') id: string, @Query() query: unknown) {
    const q = parseInput(SloHistoryQuerySchema, query, 'invalid query');
    const now = this.clock.now();
    const toMs = Math.min(q.to ?? now, now);
    const fromMs = q.from ?? toMs - DAY_MS;
    if (fromMs > toMs) throw new ValidationError('invalid query', [{ path: 'from', message: 'must not be after to (or now)' }]);
    return this.histories.history(id, { fromMs, toMs, stepMs: q.step ?? DEFAULT_STEP_MS });
  }
}
