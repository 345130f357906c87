import { loadConfigWithExplanations } from '../config/config.loader';
import { ConfigError, formatProblem } from '../config/app-config';
import { formatExplanation } from '../config/openslo';

type Env = Record<string, string | undefined>;

export const VALIDATE_USAGE = `  slo-engine validate FILE_OR_DIR     check a config: exit 0 valid (warnings printed), 1 invalid
  slo-engine validate --explain FILE_OR_DIR
                                      the same, and print the native SLO each OpenSLO SLO
                                      became (YAML) with the OpenSLO keys it ignored
`;

/**
 * `slo-engine validate [--explain] FILE_OR_DIR` (SPEC §10): exit 0 valid (warnings printed), 1
 * invalid with the problems listed; `--explain` prints, for each OpenSLO SLO, the native SLO it
 * became (YAML, ready to paste under `slos:`) and the keys ignored. Returns `undefined` on bad
 * usage (the caller prints the usage).
 */
export function runValidate(args: string[], env: Env, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number | undefined {
  const explain = args.includes('--explain');
  const rest = args.filter((arg) => arg !== '--explain');
  if (rest.length !== 1 || rest[0].startsWith('--')) return undefined;
  try {
    const { config, explanations } = loadConfigWithExplanations({ path: rest[0], env });
    if (explain) {
      if (explanations.length === 0) out.write('# no OpenSLO SLOs in this config\n');
      for (const explanation of explanations) out.write(`${formatExplanation(explanation)}\n`);
    }
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
