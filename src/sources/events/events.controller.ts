import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { RequireScope } from '../../auth/require-scope.decorator';
import { apiRef, type Assert, type Equal } from '../../common/api-schema';
import { ApiErrors } from '../../common/error-api.schema';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency';
import { IngestAcceptedSchema, IngestRequestSchema } from './ingest-api.schema';
import { IngestResult, IngestService } from './ingest.service';

type _IngestAccepted = Assert<Equal<z.infer<typeof IngestAcceptedSchema>, IngestResult>>;

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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1 to 200 printable ASCII characters; a repeat answers as the first did and stores nothing while the key is remembered: 24 h, or until 100,000 newer keys have been seen',
    schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
  })
  @ApiBody({ schema: apiRef(IngestRequestSchema) })
  @ApiAcceptedResponse({ schema: apiRef(IngestAcceptedSchema) })
  @ApiErrors(
    [400, 'one detail per bad event field (or the body, or the Idempotency-Key); nothing stored'],
    401,
    403,
    [409, 'Idempotency-Key reused with a different body, or its first request still in progress'],
    413,
    503,
  )
  events(@Body() body: unknown, @Headers('Idempotency-Key') idempotencyKey?: string) {
    return this.ingest.ingest(body, idempotencyKey);
  }
}
