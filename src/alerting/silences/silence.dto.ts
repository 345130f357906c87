import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the silences API (validation is in the controller's zod schema and the service). */
export class SilenceRequestDto {
  @ApiPropertyOptional({ example: 'checkout-availability', description: 'the SLO to silence; give either slo or service' })
  slo?: string;
  @ApiPropertyOptional({ example: 'checkout', description: 'silences every SLO of the service; give either slo or service' })
  service?: string;
  @ApiProperty({ format: 'date-time', description: 'when the silence ends: in the future, at most 30 days ahead' })
  until!: string;
  @ApiProperty({ example: 'planned maintenance of the payment provider' })
  reason!: string;
}

export class SilenceDto {
  @ApiProperty() id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the SLO silenced, or null for a service silence' }) slo!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the service silenced, or null for an SLO silence' }) service!: string | null;
  @ApiProperty({ format: 'date-time' }) until!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'name of the token that created it' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SilenceListDto {
  @ApiProperty({ type: [SilenceDto] }) silences!: SilenceDto[];
}
