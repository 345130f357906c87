import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the read API (documentation only; responses are built by the services). */
const ZONES = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'];
const burnRatesSchema = {
  type: 'object',
  additionalProperties: { type: 'number', nullable: true },
  example: { '5m': 2.1, '30m': 2.8, '1h': 3.1, '2h': 3.5, '6h': 3.3, '1d': 3.2, '3d': 2.4 },
} as const;

export class BudgetNumbersDto {
  @ApiProperty({ nullable: true, type: Number, description: '1 untouched, 0 spent, negative overspent' })
  remaining!: number | null;
  @ApiProperty({ nullable: true, type: Number })
  consumed!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'straight-line forecast at the 1h burn rate' })
  exhaustsAt!: string | null;
}

export class BudgetAlertDto {
  @ApiProperty({ enum: ['page', 'ticket'] }) severity!: string;
  @ApiProperty({ enum: ['burn-rate', 'source-unavailable'] }) kind!: string;
  @ApiProperty({ enum: ['firing'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
}

export class BudgetDto {
  @ApiProperty({ example: 'checkout-availability' }) slo!: string;
  @ApiProperty({ example: 'checkout' }) service!: string;
  @ApiProperty({ nullable: true, type: String, example: 'payments' }) team!: string | null;
  @ApiProperty({ example: 99.9 }) objective!: number;
  @ApiProperty({ example: '30d' }) window!: string;
  @ApiProperty({ enum: ZONES }) zone!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) evaluatedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.99941 }) sli!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 9994100 }) good!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 10000000 }) total!: number | null;
  @ApiProperty({ type: BudgetNumbersDto }) budget!: BudgetNumbersDto;
  @ApiProperty({ ...burnRatesSchema, description: 'one key per rule window as configured, plus 1h' })
  burnRates!: Record<string, number | null>;
  @ApiProperty({ type: [BudgetAlertDto] }) alerts!: BudgetAlertDto[];
}

export class SloPageDto {
  @ApiProperty({ type: [BudgetDto] }) slos!: BudgetDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class SloDetailDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the SLO as configured' })
  definition!: Record<string, unknown>;
  @ApiProperty({ type: BudgetDto }) budget!: BudgetDto;
}

export class HistoryPointDto {
  @ApiProperty({ format: 'date-time' }) t!: string;
  @ApiProperty({ nullable: true, type: Number }) sli!: number | null;
  @ApiProperty({ nullable: true, type: Number }) remaining!: number | null;
  @ApiProperty({ ...burnRatesSchema, nullable: true }) burnRates!: Record<string, number> | null;
}

export class HistoryDto {
  @ApiProperty() slo!: string;
  @ApiProperty({ type: [HistoryPointDto] }) points!: HistoryPointDto[];
}

export class ErrorDetailDto {
  @ApiProperty({ example: 'events[3].good' }) path!: string;
  @ApiProperty() message!: string;
}

export class ErrorDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [ErrorDetailDto] }) details!: ErrorDetailDto[];
}
