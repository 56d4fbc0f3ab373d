import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error.js';
import type { FieldError } from './validation.error.js';
import { RequestValidationError } from './validation.error.js';

// RFC 9457 problem details, with `code` and `requestId` as extension members.
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
}

export interface ProblemResult {
  problem: Problem;
  headers?: Record<string, string>;
  // The original error when it was unexpected (500): logged, never sent.
  unexpected?: unknown;
}

// Errors Fastify raises before a route runs (body parsing and limits).
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', detail: 'Invalid Content-Length' },
};

// Nest's body parser rethrows Fastify's JSON errors as a plain 400 HttpException, so the
// message is the only stable signal.
function isMalformedJson(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  const code = (exception as { code?: string }).code;
  return (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    /Body is not valid JSON|Body cannot be empty when content-type is set to 'application\/json'/.test(exception.message)
  );
}

function codeFromStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

function make(status: number, code: string, detail: string, req: { url: string; id: string }): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: req.url.split('?')[0],
    code,
    requestId: req.id,
  };
}

function httpExceptionDetail(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

export function toProblem(exception: unknown, req: { url: string; id: string }): ProblemResult {
  if (exception instanceof RequestValidationError) {
    return { problem: { ...make(400, exception.code, exception.message, req), errors: exception.errors } };
  }
  if (exception instanceof DomainError) {
    return { problem: make(exception.status, exception.code, exception.message, req), headers: exception.headers };
  }
  if (isMalformedJson(exception)) {
    return { problem: make(400, 'MALFORMED_JSON', 'The request body is not valid JSON', req) };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const detail = status >= 500 ? 'An unexpected error occurred' : httpExceptionDetail(exception);
    return { problem: make(status, codeFromStatus(status), detail, req) };
  }
  if (exception instanceof QueryFailedError) {
    const pgCode = (exception.driverError as { code?: string } | undefined)?.code;
    if (pgCode === '23505') return { problem: make(409, 'CONFLICT', 'The resource already exists', req) };
    if (pgCode === '23503') return { problem: make(409, 'CONFLICT', 'A referenced resource does not exist', req) };
  }
  const fastifyCode = (exception as { code?: string } | null)?.code;
  const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
  if (known) return { problem: make(known.status, known.code, known.detail, req) };
  const statusCode = (exception as { statusCode?: number } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { problem: make(statusCode, codeFromStatus(statusCode), STATUS_CODES[statusCode] ?? 'Bad request', req) };
  }
  return {
    problem: make(500, 'INTERNAL_ERROR', `An unexpected error occurred (request ${req.id})`, req),
    unexpected: exception,
  };
}
