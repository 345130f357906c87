import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from './config/config.loader';
import { ConfigError, formatProblem } from './config/app-config';
import { ConfigHolder } from './config/config-holder';
import { createApp } from './create-app';
import { installSignalHandlers } from './lifecycle';

/** Starts the service: a bad config stops here with exit code 1, one line per problem. */
async function main(): Promise<void> {
  const configPath = process.env.CONFIG_FILE || undefined;
  const read = () => loadConfig({ path: configPath, env: process.env });
  let holder: ConfigHolder;
  try {
    holder = new ConfigHolder(read(), read);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${formatProblem(problem)}\n`);
    } else {
      process.stderr.write(`config error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exit(1);
  }
  const app = await createApp({ config: holder });
  const logger = new Logger('main');
  for (const warning of holder.current.warnings) logger.warn(warning);
  installSignalHandlers(app, holder);
  const { port, host } = holder.current.server;
  await app.listen(port, host);
  logger.log({ port, host, files: holder.current.files, slos: holder.current.slos.length }, 'slo-engine listening');
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
