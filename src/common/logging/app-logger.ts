import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { currentRequestContext } from './request-context.js';

// Nest's logger (every `new Logger(Context)` in the code) on pino. Accepts Nest's calls
// (message, ...params, context) and pino's object-first ones (({ err }, 'message')), as
// nestjs-pino did. A line written during a request carries its requestId when request context is
// on (LOG_REQUEST_CONTEXT); the request and error lines always do (request-logging.ts, ProblemFilter).
export class AppLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.call('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.call('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.call('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.call('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.call('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.call('fatal', message, params);
  }

  private call(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    // Nest puts the context name last.
    if (params.length > 0) fields.context = params[params.length - 1];
    const rest = params.slice(0, -1);
    const requestId = currentRequestContext()?.requestId;
    if (requestId) fields.requestId = requestId;
    if (message instanceof Error) fields.err = message;
    else if (typeof message === 'object' && message !== null) Object.assign(fields, message);
    else if (level === 'error' && typeof message === 'string' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      // Nest's own exception handlers call error(message, stack).
      const err = new Error(message);
      err.stack = rest[0];
      this.pino.error({ ...fields, err });
      return;
    } else {
      this.pino[level](fields, String(message), ...rest);
      return;
    }
    this.pino[level](fields, ...(rest as [string?]));
  }
}
