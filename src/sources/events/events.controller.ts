import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../../auth/require-scope.decorator';
import { ErrorDto } from '../../slo/dto/budget.dto';
import { IngestAcceptedDto, IngestRequestDto } from './ingest.dto';
import { IngestService } from './ingest.service';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly ingest: IngestService) {}

  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary: 'Push good/total counts of events SLOs (1 to 10,000 events; the batch is validated whole)',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a repeat within 24 h answers as the first did and stores nothing' })
  @ApiAcceptedResponse({ type: IngestAcceptedDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'one detail per bad event field; nothing stored' })
  @ApiConflictResponse({ type: ErrorDto, description: 'Idempotency-Key reused with a different body' })
  events(@Body() body: IngestRequestDto, @Headers('idempotency-key') idempotencyKey?: string) {
    return this.ingest.ingest(body, idempotencyKey);
  }
}
