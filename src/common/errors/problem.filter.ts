import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

// The one place errors become responses (HTTP only; the WebSocket gateway has its own frames).
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(exception, request);
    if (unexpected !== undefined) {
      this.logger.error({ err: unexpected, requestId: request.id }, 'Unhandled error');
    }
    if (headers) void reply.headers(headers);
    void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  }
}
