/**
 * The evaluation cycle, step by step, in the order they run (SPEC §6, §12, §13). The first step,
 * evaluation, is the cycle itself: when it fails (the state store is down) no other step runs.
 * Every later step names the steps that must have succeeded in the same cycle for it to run; a step
 * whose prerequisite failed or was skipped is skipped, and says so in the cycle summary.
 */
export type CycleStepName = 'alerts' | 'incidents' | 'heartbeat';

export interface CycleStepDeclaration {
  name: CycleStepName;
  /** steps that must have succeeded earlier in this cycle */
  requires: readonly CycleStepName[];
  /** what it is for, for the reader (and the architecture notes) */
  purpose: string;
}

export const CYCLE_STEPS: readonly CycleStepDeclaration[] = [
  { name: 'alerts', requires: [], purpose: 'alert transitions and notifications, committed together (SPEC §4, §6)' },
  {
    name: 'incidents',
    requires: ['alerts'],
    purpose: 'incidents opened, joined and resolved from the committed page alerts, their numbers, postmortem reminders (SPEC §13)',
  },
  {
    name: 'heartbeat',
    requires: ['alerts'],
    purpose: 'the dead man\'s switch: pinged only after a cycle whose alerting step ran (SPEC §6)',
  },
];

/** What a step reported, or why it did not run. */
export type StepOutcome = { ok: true; report: Record<string, unknown> | 'ok' } | { ok: false; error?: string; skipped?: string };

/** The steps to run, in order: each declaration paired with what runs it. */
export type CycleStepRunners<C> = Record<CycleStepName, (cycle: C) => Promise<Record<string, unknown> | void>>;

/** Why a step did not run in a cycle abandoned as stalled (SPEC §12). */
export const ABANDONED = 'the cycle was abandoned as stalled';

/**
 * Runs the declared steps in order; a step throws → its outcome is the error and the steps that
 * require it are skipped. Once `abandoned` aborts (the cycle stalled, SPEC §12), no further step
 * starts: a cycle finishing after its stall deadline neither alerts nor sends a heartbeat. Never
 * throws.
 */
export async function runCycleSteps<C>(
  cycle: C,
  runners: CycleStepRunners<C>,
  declarations: readonly CycleStepDeclaration[] = CYCLE_STEPS,
  abandoned?: AbortSignal,
): Promise<Map<CycleStepName, StepOutcome>> {
  const outcomes = new Map<CycleStepName, StepOutcome>();
  for (const step of declarations) {
    if (abandoned?.aborted) {
      outcomes.set(step.name, { ok: false, skipped: ABANDONED });
      continue;
    }
    const unmet = step.requires.find((name) => outcomes.get(name)?.ok !== true);
    if (unmet !== undefined) {
      outcomes.set(step.name, { ok: false, skipped: `${unmet} did not succeed` });
      continue;
    }
    try {
      outcomes.set(step.name, { ok: true, report: (await runners[step.name](cycle)) ?? 'ok' });
    } catch (error) {
      outcomes.set(step.name, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}
