import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BudgetDto } from '../../slo/dto/budget.dto';

/** OpenAPI shapes of the gate, freezes, overrides and audit (validation is in the controllers' zod schemas). */
const ZONES = ['normal', 'caution', 'freeze', 'exhausted', 'unknown'];
const CHANGE_TYPES = ['feature', 'fix', 'rollback', 'security', 'db-migration', 'infra'];

export class GateRequestDto {
  @ApiProperty({ example: 'checkout' }) service!: string;
  @ApiPropertyOptional({ enum: CHANGE_TYPES, default: 'feature' }) changeType?: string;
  @ApiPropertyOptional({ example: '1.42.0' }) version?: string;
  @ApiPropertyOptional({ example: 'production' }) environment?: string;
  @ApiPropertyOptional({ example: 'ci/pipeline/8812' }) requestedBy?: string;
}

export class GateSloDto {
  @ApiProperty() slo!: string;
  @ApiProperty({ enum: ZONES }) zone!: string;
  @ApiProperty({ nullable: true, type: Number }) remaining!: number | null;
}

export class GateResponseDto {
  @ApiProperty({ enum: ['allow', 'deny'] }) decision!: string;
  @ApiProperty() service!: string;
  @ApiProperty({ enum: ZONES }) zone!: string;
  @ApiProperty({ enum: CHANGE_TYPES }) changeType!: string;
  @ApiProperty({ type: [String], description: 'why; never empty' }) reasons!: string[];
  @ApiProperty({ type: [String] }) warnings!: string[];
  @ApiProperty({ type: [GateSloDto] }) slos!: GateSloDto[];
  @ApiProperty() decisionId!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'oldest evaluation the decision rests on' })
  evaluatedAt!: string | null;
}

export class DecisionDto {
  @ApiProperty() decisionId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() service!: string;
  @ApiProperty({ enum: CHANGE_TYPES }) changeType!: string;
  @ApiProperty({ nullable: true, type: String }) version!: string | null;
  @ApiProperty({ nullable: true, type: String }) environment!: string | null;
  @ApiProperty({ nullable: true, type: String }) requestedBy!: string | null;
  @ApiProperty({ description: 'name of the token that asked' }) token!: string;
  @ApiProperty({ enum: ['allow', 'deny'] }) decision!: string;
  @ApiProperty({ enum: ZONES }) zone!: string;
  @ApiProperty({ type: [String] }) reasons!: string[];
}

export class DecisionListDto {
  @ApiProperty({ type: [DecisionDto] }) decisions!: DecisionDto[];
}

export class FreezeRequestDto {
  @ApiProperty({ example: 'checkout', description: 'a service name or "*"' }) service!: string;
  @ApiProperty({ format: 'date-time' }) start!: string;
  @ApiProperty({ format: 'date-time' }) end!: string;
  @ApiProperty({ example: 'Black Friday' }) reason!: string;
}

export class FreezeDto extends FreezeRequestDto {
  @ApiProperty() id!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class FreezeListDto {
  @ApiProperty({ type: [FreezeDto] }) freezes!: FreezeDto[];
}

export class OverrideRequestDto {
  @ApiProperty({ example: 'checkout' }) service!: string;
  @ApiProperty({ example: 'hotfix for incident 4411' }) reason!: string;
  @ApiProperty({ format: 'date-time', description: 'in the future, at most 7 days ahead' }) expiresAt!: string;
  @ApiProperty({ example: 'jane.doe' }) approvedBy!: string;
}

export class OverrideDto extends OverrideRequestDto {
  @ApiProperty() id!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class OverrideListDto {
  @ApiProperty({ type: [OverrideDto] }) overrides!: OverrideDto[];
}

export class AdminChangeDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ enum: ['freeze.create', 'freeze.delete', 'override.create', 'override.delete', 'silence.create', 'silence.delete'] })
  action!: string;
  @ApiProperty() id!: string;
  @ApiProperty() service!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class AdminChangeListDto {
  @ApiProperty({ type: [AdminChangeDto] }) changes!: AdminChangeDto[];
}

export class DeploySloDto {
  @ApiProperty() slo!: string;
  @ApiProperty({ nullable: true, type: Number }) remainingAtDeploy!: number | null;
  @ApiProperty({ nullable: true, type: Number }) remainingNow!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'remainingAtDeploy − remainingNow (budget fraction spent since)' })
  consumedSince!: number | null;
}

export class DeployDto {
  @ApiProperty() decisionId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: CHANGE_TYPES }) changeType!: string;
  @ApiProperty({ nullable: true, type: String }) environment!: string | null;
  @ApiProperty({ nullable: true, type: String }) requestedBy!: string | null;
  @ApiProperty({ type: [DeploySloDto] }) slos!: DeploySloDto[];
}

export class ServiceGateDto {
  @ApiProperty({ enum: ['allow', 'deny'] }) feature!: string;
}

export class ServiceBudgetDto {
  @ApiProperty() service!: string;
  @ApiProperty({ enum: ZONES, description: 'worst SLO zone: exhausted > freeze > unknown > caution > normal' }) zone!: string;
  @ApiProperty({ type: ServiceGateDto, description: 'what the gate would answer for a feature change now' }) gate!: ServiceGateDto;
  @ApiProperty({ type: [BudgetDto] }) slos!: BudgetDto[];
  @ApiProperty({ type: [DeployDto], description: 'last allowed deploys with a version, newest first' }) deploys!: DeployDto[];
}
