import { z } from 'zod';
import { apiSchema, isoTimestamp, nullableRef, type Assert, type Equal } from '../common/api-schema';
import type { AcceptedLoss } from './state-loss.service';
import { SilenceSchema } from '../alerting/silences/silence-api.schema';
import { AdminChangeSchema, DecisionSchema, FreezeSchema, OverrideSchema } from '../policies/policy-api.schema';
import { ExportedCorrectionsSchema } from '../policies/corrections/corrections-api.schema';
import { CHANGE_TYPES } from '../policies/domain/gate-matrix';
import { ZoneSchema } from '../slo/slo-api.schema';
import { IncidentSchema } from '../incidents/incident-api.schema';
import type { AlertState } from '../alerting/domain/alert-state';
import type { AlertSloInfo } from '../alerting/ports/alert-state.repository';
import type { Delivery } from '../notifiers/ports/outbox';
import type { DeployRecord } from '../policies/ports/policy-state.repository';

/** Shapes of the admin state endpoints (SPEC §5, §12). */

export const StateLossSchema = apiSchema(
  'StateLoss',
  z
    .object({
      lostAt: isoTimestamp.describe('when a replica found the state marker gone or replaced'),
      reason: z.string(),
    })
    .strict(),
);

export const AcceptedLossSchema = apiSchema(
  'AcceptedLoss',
  z
    .object({
      accepted: nullableRef(StateLossSchema).describe('the loss now accepted; null when none was recorded'),
    })
    .strict(),
);
type _AcceptedLoss = Assert<Equal<z.infer<typeof AcceptedLossSchema>, AcceptedLoss>>;

// ---------------------------------------------------------------- state export and import (SPEC §5, §10, §12)

const nullableString = z.string().nullable();
const severity = z.enum(['page', 'ticket']);
const alertKind = z.enum(['burn-rate', 'source-unavailable']);

const AlertStateRecordSchema = z
  .object({
    slo: z.string(),
    kind: alertKind,
    severity,
    state: z.enum(['inactive', 'firing']),
    since: z.number().nullable(),
    rule: nullableString,
    notifiedReceivers: z.array(z.string()),
    lastNotifiedAt: z.record(z.string(), z.number()),
    incidentId: z.string().optional().describe("a firing page's incident (SPEC §13)"),
    remainingAtFire: z.number().nullable().optional().describe('a firing page: the budget remaining when it fired'),
  })
  .strict();

const AlertSloInfoSchema = z
  .object({ service: z.string(), team: nullableString, objective: z.number(), window: z.string(), runbook: nullableString })
  .strict();
type _AlertState = Assert<Equal<z.infer<typeof AlertStateRecordSchema>, AlertState>>;
type _AlertSloInfo = Assert<Equal<z.infer<typeof AlertSloInfoSchema>, AlertSloInfo>>;

export const ExportedSloAlertsSchema = apiSchema(
  'ExportedSloAlerts',
  z
    .object({
      slo: z.string(),
      states: z.array(AlertStateRecordSchema),
      about: AlertSloInfoSchema.optional().describe('what a resolve of the SLO says; absent in states stored before it was kept'),
    })
    .strict()
    .superRefine((value, ctx) => {
      value.states.forEach((s, i) => {
        if (s.slo !== value.slo) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['states', i, 'slo'], message: `must be "${value.slo}"` });
      });
    })
    .describe("an SLO's alert states as stored, without the store's version"),
);

const NotificationMessageSchema = z
  .object({
    dedupKey: z.string(),
    action: z.enum(['trigger', 'repeat', 'resolve']),
    alertKind,
    severity,
    slo: z.string(),
    service: z.string(),
    team: nullableString,
    description: nullableString,
    objective: z.number(),
    window: z.string(),
    rule: z.object({ severity, burnRate: z.number(), long: z.string(), short: z.string() }).strict().nullable(),
    burnRates: z.record(z.string(), z.number()).nullable(),
    remaining: z.number().nullable(),
    zone: ZoneSchema,
    exhaustsAt: nullableString,
    since: z.string(),
    at: z.string(),
    runbook: nullableString,
    budgetUrl: z.string(),
    lastError: nullableString,
    incident: z.object({ id: z.string(), url: z.string() }).strict().optional(),
    resolution: z.object({ lastedSeconds: z.number(), budgetCost: z.number().nullable() }).strict().optional(),
  })
  .strict();

const PostmortemReminderMessageSchema = z
  .object({
    alertKind: z.literal('postmortem'),
    dedupKey: z.string(),
    action: z.literal('trigger'),
    severity: z.literal('ticket'),
    service: z.string(),
    team: nullableString,
    key: z.string(),
    what: z.enum(['postmortem', 'action-item']),
    title: z.string(),
    owner: nullableString,
    dueAt: z.string(),
    incident: z.object({ id: z.string(), url: z.string() }).strict(),
    at: z.string(),
  })
  .strict();

export const ExportedDeliverySchema = apiSchema(
  'ExportedDelivery',
  z
    .object({
      id: z.string(),
      lane: z.string(),
      receiver: z.string().describe("the receiver's name (its routing key or webhook is config, never exported)"),
      alertKey: z.string(),
      action: z.enum(['trigger', 'repeat', 'resolve']),
      message: z.union([NotificationMessageSchema, PostmortemReminderMessageSchema]).describe("an alert's notification, or a postmortem reminder"),
      createdAtMs: z.number(),
      attempts: z.number().int().nonnegative(),
      lastError: nullableString,
    })
    .strict()
    .describe('a recorded notification not yet delivered'),
);
type _Delivery = Assert<Equal<z.infer<typeof ExportedDeliverySchema>, Delivery>>;

const DeployRecordSchema = z
  .object({
    decisionId: z.string(),
    at: isoTimestamp,
    service: z.string(),
    version: z.string(),
    changeType: z.enum(CHANGE_TYPES),
    environment: nullableString,
    requestedBy: nullableString,
    slos: z.array(z.object({ slo: z.string(), remaining: z.number().nullable() }).strict()),
  })
  .strict();
type _DeployRecord = Assert<Equal<z.infer<typeof DeployRecordSchema>, DeployRecord>>;

export const STATE_EXPORT_FORMAT = 1;

export const StateExportSchema = apiSchema(
  'StateExport',
  z
    .object({
      format: z.literal(STATE_EXPORT_FORMAT).describe('the export format version'),
      exportedAt: isoTimestamp,
      freezes: z.array(FreezeSchema),
      overrides: z.array(OverrideSchema),
      silences: z.array(SilenceSchema),
      alerts: z.array(ExportedSloAlertsSchema).describe('readable stored alert states, one entry per SLO'),
      deliveries: z.array(ExportedDeliverySchema).describe("the outbox's undelivered notifications, lane by lane in order"),
      audit: z
        .object({
          decisions: z.array(DecisionSchema).describe('deploy-gate decisions, newest first'),
          adminChanges: z.array(AdminChangeSchema).describe('admin changes, newest first'),
        })
        .strict(),
      deploys: z.array(DeployRecordSchema).describe('deploy markers of every service with decisions, newest first per service'),
      incidents: z
        .array(IncidentSchema)
        .superRefine((incidents, ctx) => {
          incidents.forEach((incident, i) => {
            if (incident.pages.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'pages'], message: 'an incident has at least one page' });
          });
        })
        .optional()
        .describe('incidents with their postmortems (SPEC §13), newest first; merged by id'),
      corrections: ExportedCorrectionsSchema.optional().describe('the corrections created through the API (those of the config are config)'),
    })
    .strict()
    .describe('the durable state (no event buckets, no secrets: tokens, routing keys and webhooks are config)'),
);
export type StateExport = z.infer<typeof StateExportSchema>;

export const StateImportResultSchema = apiSchema(
  'StateImportResult',
  z
    .object({
      imported: z
        .object({
          freezes: z.number().int(),
          overrides: z.number().int(),
          silences: z.number().int(),
          alerts: z.number().int(),
          deliveries: z.number().int(),
          decisions: z.number().int(),
          adminChanges: z.number().int(),
          deploys: z.number().int(),
          corrections: z.number().int(),
          incidents: z.number().int(),
        })
        .strict()
        .describe('records written, per kind (a record whose key is already stored is not counted, except freezes, overrides, silences and corrections, which are written over; an incident whose id is stored is kept as stored)'),
      acceptedLoss: nullableRef(StateLossSchema).describe('the recorded state loss the import cleared; null when none'),
    })
    .strict(),
);
export type StateImportResult = z.infer<typeof StateImportResultSchema>;
