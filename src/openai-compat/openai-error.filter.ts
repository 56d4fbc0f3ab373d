import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toOpenAIError } from './openai-error.js';

// Errors of the /v1 routes (the auth guard's included) in OpenAI's shape, so OpenAI SDKs raise
// their typed errors (AuthenticationError, RateLimitError...).
@Catch()
export class OpenAIErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAIErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body, headers, unexpected } = toOpenAIError(exception, request);
    if (unexpected !== undefined) this.logger.error({ err: unexpected, requestId: request.id }, 'Unhandled error');
    // A stream already under way reports its own errors; nothing more can be sent here.
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    if (headers) void reply.headers(headers);
    void reply.status(status).type('application/json; charset=utf-8').send(body);
  }
}
