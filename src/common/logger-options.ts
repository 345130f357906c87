import type { Params } from 'nestjs-pino';

/**
 * JSON logs (one line per cycle summary, ingest problem, decision, error). Request auto-logging is
 * off: per-request lines would cost the gate's throughput and say little. Anything that could
 * carry a secret is redacted.
 */
export function loggerOptions(level: string): Params {
  return {
    // No per-request middleware: it builds a child logger per request (a third of the gate's
    // throughput) and request lines are off anyway. Services log with their own context.
    forRoutes: [],
    pinoHttp: {
      level,
      autoLogging: false,
      quietReqLogger: true,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.token',
          '*.routingKey',
          '*.webhookUrl',
          '*.headers',
          '*.redisUrl',
        ],
        censor: '[redacted]',
      },
    },
  };
}
