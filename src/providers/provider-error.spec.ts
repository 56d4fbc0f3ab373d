import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { expect } from 'expect';
import OpenAI from 'openai';
import { ProviderErrorCode, parseRetryAfter, toProviderError, UnsafeAddressError } from './provider-error.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('toProviderError', () => {
  it('normalizes OpenAI SDK errors with status, retryability and retry-after', () => {
    const err = OpenAI.APIError.generate(429, { error: { message: 'Rate limit reached', type: 'requests' } }, undefined, headers({ 'retry-after': '3' }));
    expect(toProviderError('openai', err)).toMatchObject({
      provider: 'openai',
      code: ProviderErrorCode.RateLimited,
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
      message: 'Rate limit reached',
    });
    const notFound = toProviderError('openai', OpenAI.APIError.generate(404, { error: { message: 'no such model' } }, undefined, headers({})));
    expect(notFound).toMatchObject({ code: ProviderErrorCode.ModelNotFound, retryable: false });
    expect(toProviderError('openai', OpenAI.APIError.generate(503, undefined, 'down', headers({})))).toMatchObject({ code: ProviderErrorCode.Upstream, retryable: true });
    expect(toProviderError('openai', new OpenAI.APIConnectionError({ message: 'Connection error.' }))).toMatchObject({ code: ProviderErrorCode.Connection, retryable: true });
    expect(toProviderError('openai', new OpenAI.APIConnectionTimeoutError())).toMatchObject({ code: ProviderErrorCode.Timeout, retryable: true });
  });

  it('normalizes Anthropic errors, including 529 and mid-stream overloaded events', () => {
    const overloaded = Anthropic.APIError.generate(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, headers({ 'retry-after-ms': '250' }));
    expect(toProviderError('anthropic', overloaded)).toMatchObject({ code: ProviderErrorCode.Overloaded, retryable: true, retryAfterMs: 250 });
    const midStream = new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, headers({}));
    expect(toProviderError('anthropic', midStream)).toMatchObject({ code: ProviderErrorCode.Overloaded, status: undefined, message: 'Overloaded' });
    expect(toProviderError('anthropic', Anthropic.APIError.generate(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, undefined, headers({})))).toMatchObject({
      code: ProviderErrorCode.Authentication,
      retryable: false,
    });
  });

  it('normalizes errors that only carry statusCode (Mistral) or status (Gemini)', () => {
    expect(toProviderError('mistral', Object.assign(new Error('API error occurred'), { statusCode: 500 }))).toMatchObject({ code: ProviderErrorCode.Upstream, status: 500 });
    expect(toProviderError('google', Object.assign(new Error('{"error":{"code":429}}'), { name: 'ApiError', status: 429 }))).toMatchObject({
      code: ProviderErrorCode.RateLimited,
    });
  });

  it('tells an abort apart from every other failure', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toProviderError('openai', new Error('whatever'), { signal: controller.signal }).code).toBe(ProviderErrorCode.Aborted);
    expect(toProviderError('openai', new OpenAI.APIUserAbortError()).code).toBe(ProviderErrorCode.Aborted);
    expect(toProviderError('x', new DOMException('This operation was aborted', 'AbortError')).code).toBe(ProviderErrorCode.Aborted);
    // The SDK's own timeout aborts its fetch: a timeout (retryable), not a cancellation.
    const timeout = new OpenAI.APIConnectionTimeoutError();
    (timeout as { cause?: unknown }).cause = new DOMException('This operation was aborted', 'AbortError');
    const classified = toProviderError('openai', timeout, { signal: new AbortController().signal });
    expect(classified.code).toBe(ProviderErrorCode.Timeout);
    expect(classified.retryable).toBe(true);
  });

  it('recognizes a cut connection and the address guard', () => {
    expect(toProviderError('x', new TypeError('terminated'))).toMatchObject({ code: ProviderErrorCode.Connection, retryable: true });
    const wrapped = new OpenAI.APIConnectionError({ message: 'Connection error.', cause: new UnsafeAddressError('10.0.0.1 is private') });
    expect(toProviderError('openai', wrapped)).toMatchObject({ code: ProviderErrorCode.UnsafeBaseUrl, retryable: false });
  });

  it('gives a problem that never includes the API key', () => {
    const key = 'sk-live-abcdefghijklmnopqrstuvwxyz';
    const err = OpenAI.APIError.generate(401, { error: { message: `Incorrect API key provided: ${key}` } }, undefined, headers({}));
    const problem = toProviderError('openai', err, { secrets: [key] }).toProblem();
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: 'Incorrect API key provided: [redacted]',
      code: 'AUTHENTICATION_FAILED',
      provider: 'openai',
      upstreamStatus: 401,
      retryable: false,
    });
    // Key-shaped strings are removed even when the key itself is not known.
    const other = toProviderError('x', new Error('bad key sk-proj-0123456789abcdefghij and Bearer abc.def')).toProblem();
    expect(other.detail).not.toContain('0123456789abcdef');
    expect(other.detail).not.toContain('abc.def');
    expect(toProviderError('x', new Error('x'), { signal: AbortSignal.abort() }).toProblem()).toMatchObject({ status: 499, code: 'ABORTED' });
  });
});

describe('parseRetryAfter', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
