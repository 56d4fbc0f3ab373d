import { toProblem } from '../common/errors/problem.js';
import { RequestValidationError } from '../common/errors/validation.error.js';
import { ProviderError, ProviderErrorCode } from '../providers/provider-error.js';
import { ProvidersErrorCode } from '../providers/providers.errors.js';
import { OpenAICompatError } from './openai-compat.errors.js';

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error';

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string | null };
}

export interface OpenAIErrorResult {
  status: number;
  body: OpenAIErrorBody;
  headers?: Record<string, string>;
  unexpected?: unknown;
}

export function errorType(status: number): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

// OpenAI's own codes where it has one, ours (lowercased) otherwise.
const CODES: Record<string, string> = {
  UNAUTHORIZED: 'invalid_api_key',
  RATE_LIMITED: 'rate_limit_exceeded',
  MODEL_NOT_FOUND: 'model_not_found',
  [ProvidersErrorCode.UnknownProvider]: 'model_not_found',
  VALIDATION_FAILED: 'invalid_request',
};

// A vendor's failure as the caller should see it: its model missing is the caller's 404 and
// its refusal of the request the caller's 400; the rest keep the problem's gateway status.
function providerStatus(error: ProviderError): number {
  if (error.code === ProviderErrorCode.ModelNotFound) return 404;
  if (error.code === ProviderErrorCode.InvalidRequest) return 400;
  return error.toProblem().status;
}

function build(status: number, message: string, code: string, param: string | null): OpenAIErrorBody {
  return { error: { message, type: errorType(status), param, code: CODES[code] ?? code.toLowerCase() } };
}

// Any error on a /v1 route in OpenAI's shape, reusing the problem mapping for everything that
// is not a vendor failure.
export function toOpenAIError(exception: unknown, req: { url: string; id: string }): OpenAIErrorResult {
  if (exception instanceof ProviderError) {
    const status = providerStatus(exception);
    const seconds = exception.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(exception.retryAfterMs / 1000));
    return {
      status,
      body: build(status, exception.message, exception.code, null),
      ...(status === 429 && seconds !== undefined ? { headers: { 'retry-after': String(seconds) } } : {}),
    };
  }
  const { problem, headers, unexpected } = toProblem(exception, req);
  // An unknown provider prefix is an unknown model to an OpenAI client.
  const unknownProvider = problem.code === String(ProvidersErrorCode.UnknownProvider);
  const status = unknownProvider ? 404 : problem.status;
  let param: string | null = null;
  if (exception instanceof OpenAICompatError) param = exception.param;
  else if (exception instanceof RequestValidationError) param = exception.errors[0]?.field ?? null;
  else if (unknownProvider) param = 'model';
  return { status, body: build(status, problem.detail, problem.code, param), headers, unexpected };
}
