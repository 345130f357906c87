import { loadConfig } from '../config/config.loader';
import { ConfigError, formatProblem } from '../config/app-config';
import { runGate } from './gate-command';
import { runState } from './state-command';

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
  slo-engine validate FILE_OR_DIR     check a config: exit 0 valid (warnings printed), 1 invalid
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
  if (command === 'validate') return validate(rest, env, out, err);
  if (command === '--help' || command === '-h' || command === 'help') {
    out.write(USAGE);
    return 0;
  }
  err.write(USAGE);
  return command === undefined ? 0 : 1;
}

function validate(args: string[], env: Env, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  if (args.length !== 1) {
    err.write(USAGE);
    return 1;
  }
  try {
    const config = loadConfig({ path: args[0], env });
    for (const warning of config.warnings) out.write(`warning: ${warning}\n`);
    out.write(`valid: ${config.slos.length} SLOs in ${config.files.length} file(s)\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) err.write(`error: ${formatProblem(problem)}\n`);
    err.write(`invalid: ${error.problems.length} problem(s)\n`);
    return 1;
  }
}
