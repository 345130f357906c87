import { loadConfig } from '../config/config.loader';
import { ConfigError, formatProblem } from '../config/app-config';

const USAGE = `usage:
  slo-engine validate FILE_OR_DIR     check a config: exit 0 valid (warnings printed), 1 invalid

(the "gate" command comes with the deploy gate)
`;

type Env = Record<string, string | undefined>;

/** The CLI of SPEC §10; returns the exit code. */
export async function runCli(args: string[], env: Env, out = process.stdout, err = process.stderr): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'validate') return validate(rest, env, out, err);
  err.write(USAGE);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 1;
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
