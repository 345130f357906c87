import { z } from 'zod';
import { ADMIN_ACTIONS, type AdminAuditEntry } from '../common/admin-audit';
import { apiSchema, isoTimestamp, requestTimestamp, type Assert, type Equal } from '../common/api-schema';
import { queryInt } from '../common/parse-input';
import { BudgetSchema, ZoneSchema } from '../slo/slo-api.schema';
import type { DeployView, GateRequest, GateResponse, ServiceBudget } from './deploy-gate.service';
import { CHANGE_TYPES } from './domain/gate-matrix';
import type { DecisionRecord, Freeze, Override } from './ports/policy-state.repository';

/** Shapes of the deploy gate (SPEC §7), freezes, overrides, the audit and a service's budget (SPEC §5). */

const text = (max: number) => z.string().trim().min(1).max(max);
const changeType = z.enum(CHANGE_TYPES);
const decision = z.enum(['allow', 'deny']);
const gateReasons = z.array(z.string());

// ---------------------------------------------------------------- the gate

/** The body of POST /v1/deploy-gate (SPEC §7); changeType defaults to feature. */
export const GateRequestSchema = apiSchema(
  'GateRequest',
  z
    .object({
      service: text(128).openapi({ example: 'checkout' }),
      changeType: changeType.default('feature'),
      version: text(128).optional().openapi({ example: '1.42.0' }).describe('an allowed change with a version is recorded as a deploy'),
      environment: text(128).optional().openapi({ example: 'production' }),
      requestedBy: text(256).optional().openapi({ example: 'ci/pipeline/8812' }),
    })
    .strict(),
);
type _GateRequest = Assert<Equal<z.output<typeof GateRequestSchema>, GateRequest>>;

const gateSlo = z.object({ slo: z.string(), zone: ZoneSchema, remaining: z.number().nullable() }).strict();

export const GateResponseSchema = apiSchema(
  'GateResponse',
  z
    .object({
      decision,
      service: z.string(),
      zone: ZoneSchema.describe("the service's zone: the worst of its SLOs' zones"),
      changeType,
      reasons: z.array(z.string()).describe('why; never empty'),
      warnings: z.array(z.string()),
      slos: z.array(gateSlo),
      decisionId: z.string(),
      evaluatedAt: isoTimestamp.nullable().describe('oldest evaluation the decision rests on; null if an SLO was never evaluated'),
    })
    .strict(),
);
type _GateResponse = Assert<Equal<z.infer<typeof GateResponseSchema>, GateResponse>>;

export const DecisionsQuerySchema = z
  .object({
    service: text(128).optional().describe('only the decisions about this service'),
    limit: queryInt(1, 1000).optional().describe('default 50, at most 1000'),
  })
  .strict();

export const DecisionSchema = apiSchema(
  'Decision',
  z
    .object({
      decisionId: z.string(),
      at: isoTimestamp,
      service: z.string(),
      changeType,
      version: z.string().nullable(),
      environment: z.string().nullable(),
      requestedBy: z.string().nullable(),
      token: z.string().describe('the name of the token that asked (never the token)'),
      decision,
      zone: ZoneSchema,
      reasons: z.array(z.string()),
      warnings: z.array(z.string()),
      slos: z.array(gateSlo),
      overrideId: z.string().nullable().describe('the override that let the change pass'),
      freezeIds: z.array(z.string()).describe('the freezes covering the service at the time'),
    })
    .strict(),
);
type _Decision = Assert<Equal<z.infer<typeof DecisionSchema>, DecisionRecord>>;

export const DecisionListSchema = apiSchema('DecisionList', z.object({ decisions: z.array(DecisionSchema) }).strict());
export type DecisionList = z.infer<typeof DecisionListSchema>;

// ---------------------------------------------------------------- freezes and overrides

export const FreezeRequestSchema = apiSchema(
  'FreezeRequest',
  z
    .object({
      service: z.string().trim().min(1).max(128).openapi({ example: 'checkout' }).describe('a service name or "*" (every service)'),
      start: requestTimestamp,
      end: requestTimestamp.describe('after start, and not in the past'),
      reason: z.string().trim().min(1, 'must not be empty').max(1024).openapi({ example: 'Black Friday' }),
    })
    .strict(),
);

export const FreezeSchema = apiSchema(
  'Freeze',
  z
    .object({
      id: z.string(),
      service: z.string().describe('a service name or "*"'),
      start: isoTimestamp,
      end: isoTimestamp,
      reason: z.string(),
      createdBy: z.string().describe('the name of the token that created it'),
      createdAt: isoTimestamp,
    })
    .strict(),
);
type _Freeze = Assert<Equal<z.infer<typeof FreezeSchema>, Freeze>>;

export const FreezeListSchema = apiSchema('FreezeList', z.object({ freezes: z.array(FreezeSchema) }).strict());
export type FreezeList = z.infer<typeof FreezeListSchema>;

export const OverrideRequestSchema = apiSchema(
  'OverrideRequest',
  z
    .object({
      service: z.string().trim().min(1).max(128).openapi({ example: 'checkout' }),
      reason: z.string().trim().min(1, 'must not be empty').max(1024).openapi({ example: 'hotfix for incident 4411' }),
      expiresAt: requestTimestamp.describe('in the future, at most 7 days ahead'),
      approvedBy: z.string().trim().min(1, 'must not be empty').max(256).openapi({ example: 'jane.doe' }),
    })
    .strict(),
);

export const OverrideSchema = apiSchema(
  'Override',
  z
    .object({
      id: z.string(),
      service: z.string(),
      reason: z.string(),
      expiresAt: isoTimestamp,
      approvedBy: z.string(),
      createdBy: z.string().describe('the name of the token that created it'),
      createdAt: isoTimestamp,
    })
    .strict(),
);
type _Override = Assert<Equal<z.infer<typeof OverrideSchema>, Override>>;

export const OverrideListSchema = apiSchema('OverrideList', z.object({ overrides: z.array(OverrideSchema) }).strict());
export type OverrideList = z.infer<typeof OverrideListSchema>;

// ---------------------------------------------------------------- the admin audit

export const AuditQuerySchema = z.object({ limit: queryInt(1, 1000).optional().describe('default 100, at most 1000') }).strict();

export const AdminChangeSchema = apiSchema(
  'AdminChange',
  z
    .object({
      at: isoTimestamp,
      actor: z.string().describe('the name of the token that made the change'),
      action: z.enum(ADMIN_ACTIONS),
      id: z.string().describe('the freeze, override, silence or correction'),
      service: z.string(),
      details: z.record(z.string(), z.unknown()).describe('the fields of the record changed'),
    })
    .strict(),
);
type _AdminChange = Assert<Equal<z.infer<typeof AdminChangeSchema>, AdminAuditEntry>>;

export const AdminChangeListSchema = apiSchema('AdminChangeList', z.object({ changes: z.array(AdminChangeSchema) }).strict());
export type AdminChangeList = z.infer<typeof AdminChangeListSchema>;

// ---------------------------------------------------------------- a service's budget

export const DeploySchema = apiSchema(
  'Deploy',
  z
    .object({
      decisionId: z.string(),
      at: isoTimestamp,
      service: z.string(),
      version: z.string(),
      changeType,
      environment: z.string().nullable(),
      requestedBy: z.string().nullable(),
      slos: z.array(
        z
          .object({
            slo: z.string(),
            remainingAtDeploy: z.number().nullable(),
            remainingNow: z.number().nullable(),
            consumedSince: z.number().nullable().describe('remainingAtDeploy − remainingNow: budget fraction spent since'),
          })
          .strict(),
      ),
    })
    .strict()
    .describe('an allowed change with a version'),
);
type _Deploy = Assert<Equal<z.infer<typeof DeploySchema>, DeployView>>;

export const ServiceBudgetSchema = apiSchema(
  'ServiceBudget',
  z
    .object({
      service: z.string(),
      zone: ZoneSchema.describe('worst SLO zone: exhausted > freeze > unknown > caution > normal'),
      gate: z
        .object({ feature: decision, fix: decision, rollback: decision, security: decision, 'db-migration': decision, infra: decision })
        .strict()
        .describe('what the gate would answer now, for each change type'),
      gateReasons: z
        .object({
          feature: gateReasons,
          fix: gateReasons,
          rollback: gateReasons,
          security: gateReasons,
          'db-migration': gateReasons,
          infra: gateReasons,
        })
        .strict()
        .describe('the reasons the gate would give now, for each change type (as `reasons` of POST /v1/deploy-gate)'),
      slos: z.array(BudgetSchema),
      deploys: z.array(DeploySchema).describe('last allowed deploys with a version, newest first'),
    })
    .strict(),
);
type _ServiceBudget = Assert<Equal<z.infer<typeof ServiceBudgetSchema>, ServiceBudget>>;
