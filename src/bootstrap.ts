import multipart from '@fastify/multipart';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { ProblemFilter } from './common/errors/problem.filter.js';
import { AppLogger } from './common/logging/app-logger.js';
import { instrumentRequestLogging } from './common/logging/request-logging.js';
import { ChatWsAdapter } from './gateway/chat-ws.adapter.js';
import { requestIdFor } from './common/http/request-id.js';
import { securityHeaders } from './common/http/security-headers.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import { ProblemDto } from './common/swagger/problem.dto.js';
import { MetricsService } from './health/metrics.service.js';

export const API_PREFIX = 'api/v1';

// Builds the fully configured application; shared by main.ts, the tests and the benchmarks so
// they all run the same pipes, filters, hooks and limits.
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Fastify accepts a hop count too, though its types do not say so.
    trustProxy: config.trustProxy as boolean | string,
    genReqId: requestIdFor,
    logger: false,
    // Idle keep-alive sockets close on shutdown so SIGTERM does not wait for clients.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Boot errors are thrown to the caller (main.ts, tests) instead of exiting the process.
    abortOnError: false,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  instrumentRequestLogging(fastify, logger, config);
  const headers = securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('x-request-id', request.id);
    done();
  });
  app.get(MetricsService).instrument(fastify);
  // Nest passes only a route's `config` to Fastify: @RouteConfig({ bodyLimit: (config) => bytes })
  // raises one route's body limit (the import route) above the global one.
  fastify.addHook('onRoute', (route) => {
    const limit: unknown = (route.config as Record<string, unknown> | undefined)?.bodyLimit;
    if (typeof limit === 'function') route.bodyLimit = (limit as (c: AppConfig) => number)(config);
  });

  // Uploads: files are streamed (request.file()), never buffered; busboy truncates a file at
  // the limit and the uploads module answers 413.
  await app.register(multipart, {
    limits: { fileSize: config.uploads.maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20, headerPairs: 100 },
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-request-id', 'idempotency-key', 'last-event-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location'],
      maxAge: 600,
    });
  }

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // The OpenAI-compatible API lives where OpenAI SDKs expect it: <base>/v1/...
      { path: 'v1/chat/completions', method: RequestMethod.POST },
      { path: 'v1/models', method: RequestMethod.GET },
      { path: 'v1/models/:model', method: RequestMethod.GET },
      { path: 'v1/embeddings', method: RequestMethod.POST },
    ],
  });
  app.useWebSocketAdapter(new ChatWsAdapter(app));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  if (config.swaggerEnabled) {
    SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
  }
  await app.init();
  await fastify.ready();
  return app;
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Chatbox backend API')
    .setDescription(
      'Headless backend for AI chat. Errors are application/problem+json (RFC 9457). ' +
        'Authenticate with a Bearer access token, or an API key as Bearer cbx_... or X-API-Key.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT or cbx_ API key' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  return SwaggerModule.createDocument(app, options, { extraModels: [ProblemDto] });
}
