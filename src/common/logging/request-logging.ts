import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config/app-config.js';
import type { AppLogger } from './app-logger.js';
import { enableRequestContext } from './request-context.js';

// One line per answered request (info; error for 5xx) with the id the response returns in
// x-request-id. Written from Fastify's onResponse hook: no per-request child logger and no
// response listeners, and nothing at all when the level is above the line's.
export function instrumentRequestLogging(fastify: FastifyInstance, logger: AppLogger, config: AppConfig): void {
  const log = logger.pino;
  if (config.logRequestContext) {
    const storage = enableRequestContext();
    fastify.addHook('onRequest', (request, _reply, done) => storage.run({ requestId: request.id }, done));
  }
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    if (log.isLevelEnabled(level)) {
      log[level](
        {
          requestId: request.id,
          req: { id: request.id, method: request.method, url: request.url.split('?')[0] },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}
