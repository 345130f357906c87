import { Env, GATE_USAGE, TOKEN_ENV, parseGateArgs } from './gate-args';
import { GateOutcome, GateRequest, askGate } from './gate-client';

/**
 * `slo-engine gate` (SPEC §10): asks `POST /v1/deploy-gate` (SPEC §7) whether a change may ship,
 * prints the decision for a CI log and maps the outcome to an exit code.
 */

export const GATE_EXIT = { allow: 0, deny: 1, unavailable: 2, refused: 3, usage: 3 } as const;

/** The exit code of SPEC §10. `failOpen` turns "unavailable" (2) into 0 and changes nothing else. */
export function exitCodeFor(outcome: GateOutcome, failOpen = false): number {
  switch (outcome.kind) {
    case 'decision':
      return outcome.decision.decision === 'allow' ? GATE_EXIT.allow : GATE_EXIT.deny;
    case 'refused':
      return GATE_EXIT.refused;
    case 'unavailable':
      return failOpen ? 0 : GATE_EXIT.unavailable;
    case 'usage':
      return GATE_EXIT.usage;
  }
}

/** The lines a human reads in the CI log: a decision on stdout, everything else on stderr. */
export function formatOutcome(outcome: GateOutcome, request: GateRequest | undefined): { stdout: string[]; stderr: string[] } {
  switch (outcome.kind) {
    case 'decision': {
      const d = outcome.decision;
      const service = d.service ?? request?.body.service ?? '?';
      const changeType = d.changeType ?? request?.body.changeType ?? '?';
      const zone = d.zone ? ` (zone ${d.zone})` : '';
      const lines = [`slo-engine gate: ${d.decision.toUpperCase()} ${service} ${changeType}${zone}`];
      for (const reason of d.reasons) lines.push(`  - ${reason}`);
      for (const warning of d.warnings) lines.push(`  warning: ${warning}`);
      if (d.decisionId || d.evaluatedAt) {
        lines.push(`  decision ${d.decisionId ?? '(no id)'}${d.evaluatedAt ? ` at ${d.evaluatedAt}` : ''}`);
      }
      return { stdout: lines, stderr: [] };
    }
    case 'refused': {
      const lines = [
        `slo-engine gate: request refused (HTTP ${outcome.status}${outcome.statusText ? ` ${outcome.statusText}` : ''}): ${outcome.message}`,
      ];
      for (const d of outcome.details) lines.push(`  - ${d.path ? `${d.path}: ` : ''}${d.message}`);
      if (outcome.status === 401) {
        lines.push(
          request?.token === undefined
            ? `  hint: no token was given; pass --token or set ${TOKEN_ENV}`
            : `  hint: the engine does not know the token from --token / ${TOKEN_ENV}`,
        );
      } else if (outcome.status === 403) {
        lines.push('  hint: the token needs the "gate" scope');
      }
      return { stdout: [], stderr: lines };
    }
    case 'unavailable': {
      const lines = [`slo-engine gate: engine unavailable: ${outcome.reason}`];
      if (request?.failOpen) lines.push('slo-engine gate: warning: engine unavailable, failing open (exit 0 instead of 2)');
      return { stdout: [], stderr: lines };
    }
    case 'usage':
      return { stdout: [], stderr: [`slo-engine gate: ${outcome.problem}`, '', GATE_USAGE.trimEnd()] };
  }
}

/** The whole command; returns the exit code. The token is redacted from everything written. */
export async function runGate(
  args: string[],
  env: Env,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchFn: typeof fetch = fetch,
): Promise<number> {
  const secrets = tokenCandidates(args, env);
  const write = (stream: NodeJS.WritableStream, lines: string[]) => {
    if (lines.length > 0) stream.write(`${redact(lines.join('\n'), secrets)}\n`);
  };

  const parsed = parseGateArgs(args, env);
  if ('help' in parsed) {
    write(out, [GATE_USAGE.trimEnd()]);
    return 0;
  }
  const request = 'request' in parsed ? parsed.request : undefined;
  const outcome: GateOutcome = request ? await askGate(request, fetchFn) : { kind: 'usage', problem: (parsed as { problem: string }).problem };
  const { stdout, stderr } = formatOutcome(outcome, request);
  write(out, stdout);
  write(err, stderr);
  return exitCodeFor(outcome, request?.failOpen ?? false);
}

/** Every string that may be the token, found even when the command line does not parse. */
function tokenCandidates(args: string[], env: Env): string[] {
  const found = [env[TOKEN_ENV]];
  args.forEach((arg, i) => {
    if (arg === '--token') found.push(args[i + 1]);
    else if (arg.startsWith('--token=')) found.push(arg.slice('--token='.length));
  });
  return found
    .flatMap((t) => (t === undefined ? [] : [t, t.trim()]))
    .filter((t) => t !== '')
    .sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: string[]): string {
  return secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}
