import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of POST /v1/events (validation itself is ingest-request.ts). */
export class IngestEventDto {
  @ApiProperty({ example: 'checkout-availability', description: 'id of an events SLO' }) slo!: string;
  @ApiProperty({ minimum: 0, example: 998 }) good!: number;
  @ApiProperty({ minimum: 0, example: 1000, description: 'at least good' }) total!: number;
  @ApiPropertyOptional({
    format: 'date-time',
    description: "default now; with Z or an offset; not older than the SLO's longest window, at most 5 min ahead",
  })
  timestamp?: string;
}

export class IngestRequestDto {
  @ApiProperty({ type: [IngestEventDto], minItems: 1, maxItems: 10000 }) events!: IngestEventDto[];
}

export class IngestAcceptedDto {
  @ApiProperty({ example: 1000 }) accepted!: number;
}
