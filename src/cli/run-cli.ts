import { runGate } from './gate-command';
import { runState } from './state-command';
import { runValidate, VALIDATE_USAGE } from './validate-command';

const USAGE = `usage:
  slo-engine gate --url URL --service NAME [options]
                                      ask the deploy gate whether a change may ship: exit 0 allow,
                                      1 deny, 2 engine unavailable, 3 refused or bad usage
                                      ("slo-engine gate --help" lists the options)
  slo-engine state export --url URL [--token T]
                                      write the engine's durable state (JSON) to stdout
  slo-engine state import --url URL [--token T] FILE
                                      import such an export (merging; clears a state loss):
                                      exit 0 done, 2 unreachable, 3 refused or bad usage
${VALIDATE_USAGE.trimEnd()}
  slo-engine --help                   this text
`;

type Env = Record<string, string | undefined>;

/** The CLI of SPEC §10; returns the exit code. */
export async function runCli(
  args: string[],
  env: Env,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'gate') return runGate(rest, env, out, err);
  if (command === 'state') return runState(rest, env, out, err);
  if (command === 'validate') {
    const code = runValidate(rest, env, out, err);
    if (code !== undefined) return code;
    err.write(USAGE);
    return 1;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    out.write(USAGE);
    return 0;
  }
  err.write(USAGE);
  return command === undefined ? 0 : 1;
}
