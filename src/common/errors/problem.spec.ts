import { describe, it } from 'node:test';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { expect } from 'expect';
import { QueryFailedError } from 'typeorm';
import { AppError, CommonErrorCode } from './domain-error.js';
import { toProblem } from './problem.js';
import { RequestValidationError } from './validation.error.js';

const req = { url: '/api/v1/things?x=1', id: 'req-1' };

describe('toProblem', () => {
  it('maps domain errors with their code, status and headers', () => {
    const result = toProblem(AppError.rateLimited(7), req);
    expect(result.problem).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many requests; retry in 7 s',
      instance: '/api/v1/things',
      code: CommonErrorCode.RateLimited,
      requestId: 'req-1',
    });
    expect(result.headers).toEqual({ 'retry-after': '7' });
  });

  it('lists validation errors per field', () => {
    const { problem } = toProblem(new RequestValidationError([{ field: 'a.b', message: 'bad' }]), req);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', detail: 'a.b: bad', errors: [{ field: 'a.b', message: 'bad' }] });
  });

  it('maps HTTP exceptions and database constraint errors', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'), req).problem).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblem(new BadRequestException(['a', 'b']), req).problem.detail).toBe('a; b');
    const unique = new QueryFailedError('INSERT INTO secret_table ...', [], Object.assign(new Error('dup'), { code: '23505' }));
    const mapped = toProblem(unique, req);
    expect(mapped.problem).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(JSON.stringify(mapped.problem)).not.toContain('secret_table');
  });

  it('hides unexpected errors behind a generic 500 and keeps the original for the log', () => {
    const boom = new Error('connection string postgres://user:pw@host failed');
    const result = toProblem(boom, req);
    expect(result.problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred (request req-1)' });
    expect(JSON.stringify(result.problem)).not.toContain('pw@host');
    expect(result.unexpected).toBe(boom);
  });
});
