import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Readiness } from '../cycle/readiness';
import { STATE_HEALTH, StateHealth } from '../common/state-health';
import { apiRef } from '../common/api-schema';
import { ApiErrors } from '../common/error-api.schema';
import { LivenessSchema, ReadinessSchema } from './health-api.schema';

/** Terminus' own OpenAPI schemas are off: a failed check leaves as the error shape (ApiExceptionFilter). */
const HEALTH_CHECK = { noCache: true, swaggerDocumentation: false };

/** Liveness and readiness (SPEC §5): ready once config is loaded, a first cycle ran, Redis answers. */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
    @Inject(STATE_HEALTH) private readonly state: StateHealth,
  ) {}

  @Get('healthz')
  @HealthCheck(HEALTH_CHECK)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: apiRef(LivenessSchema) })
  liveness() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('readyz')
  @HealthCheck(HEALTH_CHECK)
  @ApiOperation({ summary: 'Readiness: config loaded, first evaluation cycle completed, Redis (if used) answers' })
  @ApiOkResponse({ schema: apiRef(ReadinessSchema) })
  @ApiErrors([503, 'not ready: one `details` entry per failed check (path: shutdown, firstEvaluation or state)'])
  readiness_() {
    return this.health.check([
      () => {
        const check = this.indicators.check('shutdown');
        return this.readiness.shuttingDown ? check.down('shutting down') : check.up();
      },
      () => this.indicators.check('config').up(),
      () => {
        const check = this.indicators.check('firstEvaluation');
        const at = this.readiness.firstCycleCompletedAt;
        return at === null ? check.down('first evaluation cycle not completed') : check.up({ at: new Date(at).toISOString() });
      },
      async () => {
        const check = this.indicators.check('state');
        if (this.state.mode === 'memory') return check.up({ mode: 'memory' });
        try {
          await this.state.ping();
          return check.up({ mode: 'redis' });
        } catch {
          return check.down({ mode: 'redis', message: 'redis does not answer' });
        }
      },
    ]);
  }
}
