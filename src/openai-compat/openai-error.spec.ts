import { describe, it } from 'node:test';
import { expect } from 'expect';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { RequestValidationError } from '../common/errors/validation.error.js';
import { ProviderError, ProviderErrorCode } from '../providers/provider-error.js';
import { ProvidersError } from '../providers/providers.errors.js';
import { toOpenAIError } from './openai-error.js';

const req = { url: '/v1/chat/completions', id: 'req-1' };

describe('toOpenAIError', () => {
  it('maps our errors to OpenAI types and codes', () => {
    expect(toOpenAIError(new AppError(CommonErrorCode.Unauthorized, 'Missing or invalid credentials'), req)).toEqual({
      status: 401,
      body: { error: { message: 'Missing or invalid credentials', type: 'authentication_error', param: null, code: 'invalid_api_key' } },
    });
    expect(toOpenAIError(AppError.rateLimited(7), req)).toMatchObject({
      status: 429,
      body: { error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
      headers: { 'retry-after': '7' },
    });
    expect(toOpenAIError(new RequestValidationError([{ field: 'temperature', message: 'temperature must not be greater than 2' }]), req).body.error).toEqual({
      message: 'temperature: temperature must not be greater than 2',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_request',
    });
    expect(toOpenAIError(ProvidersError.unknown('nope'), req)).toMatchObject({
      status: 404,
      body: { error: { type: 'not_found_error', param: 'model', code: 'model_not_found' } },
    });
  });

  it('maps vendor failures to their status, the model missing to 404 and a refusal to 400', () => {
    const limited = new ProviderError('openai', ProviderErrorCode.RateLimited, 'Slow down', { status: 429, retryAfterMs: 1500 });
    expect(toOpenAIError(limited, req)).toEqual({
      status: 429,
      body: { error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
      headers: { 'retry-after': '2' },
    });
    expect(toOpenAIError(new ProviderError('openai', ProviderErrorCode.ModelNotFound, 'no such model'), req).status).toBe(404);
    expect(toOpenAIError(new ProviderError('openai', ProviderErrorCode.InvalidRequest, 'bad'), req).status).toBe(400);
    // Our server key being refused is not the caller's 401.
    expect(toOpenAIError(new ProviderError('openai', ProviderErrorCode.Authentication, 'bad key'), req)).toMatchObject({
      status: 502,
      body: { error: { type: 'api_error', code: 'authentication_failed' } },
    });
  });

  it('hides unexpected errors behind a generic 500', () => {
    const result = toOpenAIError(new Error('secret detail'), req);
    expect(result.status).toBe(500);
    expect(result.body.error.type).toBe('api_error');
    expect(result.body.error.message).not.toContain('secret');
    expect(result.unexpected).toBeInstanceOf(Error);
  });
});
