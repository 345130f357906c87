import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, formatProblem } from './config/app-config';
import { ConfigHolder } from './config/config-holder';
import { EvaluationCycle } from './cycle/evaluation-cycle';
import { Readiness } from './cycle/readiness';

export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * SIGHUP: reload the config atomically (an invalid one is reported, the old one kept).
 * SIGTERM / SIGINT (SPEC §12): from the signal on, every new request is answered 503 in the error
 * shape with `Connection: close`, and a gate decision still in flight is answered 503 too
 * (`Readiness.shuttingDown`, read by the hooks of create-app.ts); the running cycle is let finish
 * (or abandoned at the deadline); exit 0 within 10 s.
 */
export function installSignalHandlers(app: NestFastifyApplication, holder: ConfigHolder): void {
  const logger = new Logger('lifecycle');
  let reloading = Promise.resolve();

  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      try {
        const next = holder.reload();
        await holder.replace(next);
        for (const warning of next.warnings) logger.warn(warning);
        logger.log({ slos: next.slos.length, files: next.files }, 'config reloaded');
      } catch (error) {
        const problems =
          error instanceof ConfigError ? error.problems.map(formatProblem) : [error instanceof Error ? error.message : String(error)];
        logger.error({ problems }, 'config reload refused; the previous config stays in force');
      }
    });
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ signal }, 'shutting down');
    app.get(Readiness).shuttingDown = true; // first: the request hooks refuse from here on
    const deadline = setTimeout(() => {
      logger.warn('shutdown deadline reached; abandoning the running cycle');
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    void (async () => {
      try {
        await app.get(EvaluationCycle).idle();
        await app.close();
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'error during shutdown');
      }
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
