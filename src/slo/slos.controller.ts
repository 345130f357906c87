import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/require-scope.decorator';
import { parseInput, queryInt, timestampSchema } from '../common/parse-input';
import { durationMsSchema } from '../common/duration.schema';
import { CLOCK, Clock } from '../common/clock';
import { Inject } from '@nestjs/common';
import { ValidationError } from '../common/domain-error';
import { MAX_PAGE, SloQueryService } from './slo-query.service';
import { BudgetDto, HistoryDto, SloDetailDto, SloPageDto } from './dto/budget.dto';

const listQuery = z
  .object({
    service: z.string().min(1).max(128).optional(),
    limit: queryInt(1, MAX_PAGE).optional(),
    cursor: z.string().min(1).max(256).optional(),
  })
  .strict();

const historyQuery = z
  .object({ from: timestampSchema.optional(), to: timestampSchema.optional(), step: durationMsSchema.optional() })
  .strict();

const DAY_MS = 86_400_000;
const DEFAULT_STEP_MS = 300_000;

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/slos')
export class SlosController {
  constructor(
    private readonly slos: SloQueryService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Budget objects of all SLOs, paginated' })
  @ApiQuery({ name: 'service', required: false })
  @ApiQuery({ name: 'limit', required: false, description: 'default 1000, at most 1000' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiOkResponse({ type: SloPageDto })
  list(@Query() query: unknown) {
    const q = parseInput(listQuery, query, 'invalid query');
    return this.slos.list({ service: q.service, limit: q.limit ?? MAX_PAGE, cursor: q.cursor });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'An SLO definition (secrets left out) and its budget' })
  @ApiOkResponse({ type: SloDetailDto })
  detail(@Param('id') id: string) {
    return this.slos.detail(id);
  }

  @Get(':id/budget')
  @RequireScope('read')
  @ApiOperation({ summary: 'The budget object of one SLO' })
  @ApiOkResponse({ type: BudgetDto })
  budget(@Param('id') id: string) {
    return this.slos.budget(id);
  }

  @Get(':id/history')
  @RequireScope('read')
  @ApiOperation({ summary: 'The SLO numbers at each step, recomputed from stored events (default last 24 h, step 5m)' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'step', required: false })
  @ApiOkResponse({ type: HistoryDto })
  history(@Param('id') id: string, @Query() query: unknown) {
    const q = parseInput(historyQuery, query, 'invalid query');
    const now = this.clock.now();
    const toMs = Math.min(q.to ?? now, now);
    const fromMs = q.from ?? toMs - DAY_MS;
    if (fromMs > toMs) throw new ValidationError('invalid query', [{ path: 'from', message: 'must not be after to (or now)' }]);
    return this.slos.history(id, { fromMs, toMs, stepMs: q.step ?? DEFAULT_STEP_MS });
  }
}
