import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of `GET /v1/alerts` (documentation only). */
export class AlertRuleDto {
  @ApiProperty({ enum: ['page', 'ticket'] }) severity!: string;
  @ApiProperty({ example: 14.4 }) burnRate!: number;
  @ApiProperty({ example: '1h' }) long!: string;
  @ApiProperty({ example: '5m' }) short!: string;
}

export class FiringAlertDto {
  @ApiProperty({ example: 'checkout-availability' }) slo!: string;
  @ApiProperty({ example: 'checkout' }) service!: string;
  @ApiProperty({ enum: ['page', 'ticket'], description: 'source-unavailable alerts are tickets' }) severity!: string;
  @ApiProperty({ enum: ['burn-rate', 'source-unavailable'] }) kind!: string;
  @ApiProperty({ enum: ['firing'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ type: AlertRuleDto, nullable: true, description: 'the rule firing it; null for source-unavailable' })
  rule!: AlertRuleDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    nullable: true,
    example: { '5m': 16.2, '30m': 15.1, '1h': 14.9, '2h': 8, '6h': 3.1, '1d': 1.2, '3d': 0.5 },
  })
  burnRates!: Record<string, number> | null;
  @ApiProperty({ description: 'under an active silence: listed but not notified' }) silenced!: boolean;
  @ApiProperty({ description: 'a ticket while the page of its SLO fires: listed but not notified' }) inhibited!: boolean;
}

export class AlertListDto {
  @ApiProperty({ type: [FiringAlertDto] }) alerts!: FiringAlertDto[];
}
