import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { Public } from '../common/auth/decorators.js';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { ApiProblems } from '../common/swagger/problem.dto.js';
import { HealthService, type Readiness } from './health.service.js';
import { MetricsService } from './metrics.service.js';

class LiveDto {
  @ApiProperty({ example: 'up' }) status!: 'up';
}

class ReadinessDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({
    example: { database: { status: 'up', latencyMs: 1 }, redis: { status: 'up', latencyMs: 0 }, storage: { status: 'up', latencyMs: 1 } },
    description: 'One entry per dependency',
  })
  checks!: Readiness['checks'];
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LiveDto })
  @ApiProblems(429)
  live(): LiveDto {
    return { status: 'up' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: the database, Redis (when configured) and upload storage answer' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'A dependency is down' })
  @ApiProblems(429)
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const readiness = await this.health.readiness();
    if (readiness.status === 'down') void reply.status(503);
    return readiness;
  }

  @Get('metrics')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (Bearer METRICS_TOKEN when configured)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiProblems(401, 429)
  async render(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const token = this.config.metricsToken;
    if (token && !sameSecret(authorization ?? '', `Bearer ${token}`)) {
      throw new AppError(CommonErrorCode.Unauthorized, 'The metrics token is missing or wrong');
    }
    void reply.type(this.metrics.contentType);
    return this.metrics.render();
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
