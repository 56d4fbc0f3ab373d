import { STATUS_CODES } from 'node:http';

export enum ProviderErrorCode {
  Aborted = 'ABORTED',
  Timeout = 'TIMEOUT',
  Connection = 'CONNECTION_ERROR',
  RateLimited = 'RATE_LIMITED',
  Overloaded = 'OVERLOADED',
  Authentication = 'AUTHENTICATION_FAILED',
  ModelNotFound = 'MODEL_NOT_FOUND',
  InvalidRequest = 'INVALID_REQUEST',
  Upstream = 'UPSTREAM_ERROR',
  UnsafeBaseUrl = 'UNSAFE_BASE_URL',
  Unknown = 'PROVIDER_ERROR',
}

// What our API answers for each code: the vendor's own status is not ours (a vendor 401 means
// our credential is wrong, not the caller's), so most failures are 502 Bad Gateway.
const PROBLEM_STATUS: Record<ProviderErrorCode, number> = {
  [ProviderErrorCode.Aborted]: 499,
  [ProviderErrorCode.Timeout]: 504,
  [ProviderErrorCode.Connection]: 502,
  [ProviderErrorCode.RateLimited]: 429,
  [ProviderErrorCode.Overloaded]: 503,
  [ProviderErrorCode.Authentication]: 502,
  [ProviderErrorCode.ModelNotFound]: 502,
  [ProviderErrorCode.InvalidRequest]: 502,
  [ProviderErrorCode.Upstream]: 502,
  [ProviderErrorCode.UnsafeBaseUrl]: 502,
  [ProviderErrorCode.Unknown]: 502,
};

export interface ProviderProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProviderErrorCode;
  provider: string;
  upstreamStatus?: number;
  retryable: boolean;
}

export class ProviderError extends Error {
  override name = 'ProviderError';

  constructor(
    readonly provider: string,
    readonly code: ProviderErrorCode,
    message: string,
    readonly opts: { status?: number; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
  }

  get status(): number | undefined {
    return this.opts.status;
  }

  get retryable(): boolean {
    return this.opts.retryable ?? false;
  }

  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }

  toProblem(): ProviderProblem {
    const status = PROBLEM_STATUS[this.code];
    return {
      type: 'about:blank',
      title: STATUS_CODES[status] ?? 'Client Closed Request',
      status,
      detail: this.message,
      code: this.code,
      provider: this.provider,
      ...(this.status !== undefined ? { upstreamStatus: this.status } : {}),
      retryable: this.retryable,
    };
  }
}

// Raised by the guarded fetch when a user-supplied base URL resolves to a private address.
export class UnsafeAddressError extends Error {
  override name = 'UnsafeAddressError';
}

interface ErrorLike {
  name?: string;
  message?: string;
  status?: unknown;
  statusCode?: unknown;
  code?: unknown;
  type?: unknown;
  headers?: unknown;
  error?: unknown;
  cause?: unknown;
}

function causes(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && chain.length < 6) {
    chain.push(current);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

function header(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (headers && typeof headers === 'object') {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

// retry-after-ms (OpenAI, Anthropic) wins over retry-after (seconds or an HTTP date).
export function parseRetryAfter(headers: unknown, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Gemini says how long to wait in its error body (google.rpc.RetryInfo, `"retryDelay": "7s"`),
// not in a header; its SDK's error keeps the body only as its message, in JSON.
function retryDelayInBody(e: ErrorLike): number | undefined {
  if (typeof e.message !== 'string' || !e.message.startsWith('{')) return undefined;
  let body: { error?: { details?: { retryDelay?: unknown }[] } };
  try {
    body = JSON.parse(e.message) as typeof body;
  } catch {
    return undefined;
  }
  const delay = body.error?.details?.find((d) => typeof d?.retryDelay === 'string')?.retryDelay as string | undefined;
  const seconds = delay?.match(/^(\d+(?:\.\d+)?)s$/)?.[1];
  return seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}

// The vendor's error "type" (Anthropic error events, OpenAI error objects), when there is one.
function vendorType(e: ErrorLike): string | undefined {
  if (typeof e.type === 'string') return e.type;
  const body = e.error as { type?: unknown; error?: { type?: unknown } } | undefined;
  const type = body?.error?.type ?? body?.type;
  return typeof type === 'string' ? type : undefined;
}

// The vendor's own sentence from an SDK's parsed error body, rather than the SDK's wrapper text.
function vendorMessage(e: ErrorLike): string | undefined {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.error?.message ?? body?.message;
  return typeof message === 'string' && message ? message : undefined;
}

function codeForStatus(status: number): ProviderErrorCode {
  if (status === 429) return ProviderErrorCode.RateLimited;
  if (status === 529) return ProviderErrorCode.Overloaded;
  if (status === 408) return ProviderErrorCode.Timeout;
  if (status === 401 || status === 403) return ProviderErrorCode.Authentication;
  if (status === 404) return ProviderErrorCode.ModelNotFound;
  if (status >= 500) return ProviderErrorCode.Upstream;
  if (status >= 400) return ProviderErrorCode.InvalidRequest;
  return ProviderErrorCode.Unknown;
}

function codeForType(type: string): ProviderErrorCode | undefined {
  if (type === 'overloaded_error') return ProviderErrorCode.Overloaded;
  if (type === 'rate_limit_error' || type === 'rate_limit_exceeded') return ProviderErrorCode.RateLimited;
  if (type === 'api_error' || type === 'server_error') return ProviderErrorCode.Upstream;
  if (type === 'authentication_error' || type === 'permission_error') return ProviderErrorCode.Authentication;
  if (type === 'not_found_error') return ProviderErrorCode.ModelNotFound;
  if (type === 'invalid_request_error') return ProviderErrorCode.InvalidRequest;
  return undefined;
}

const RETRYABLE = new Set([
  ProviderErrorCode.RateLimited,
  ProviderErrorCode.Overloaded,
  ProviderErrorCode.Timeout,
  ProviderErrorCode.Connection,
  ProviderErrorCode.Upstream,
]);

const CONNECTION_MESSAGE = /fetch failed|terminated|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ENOTFOUND|EAI_AGAIN|premature close|other side closed/i;

// Keys must never reach a response or a log: drop the ones we know, and anything key-shaped.
export function redact(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/\b(Bearer\s+)[\w.~+/-]+=*/gi, '$1[redacted]')
    .replace(/\b(sk|pk|rk|key|AIza)[-_]?[A-Za-z0-9_-]{12,}/g, '[redacted]')
    .slice(0, 1000);
}

// One normalized error from whatever an SDK (or fetch) threw. `signal` tells an abort we asked
// for apart from any other failure.
export function toProviderError(
  provider: string,
  err: unknown,
  ctx: { signal?: AbortSignal; secrets?: readonly (string | undefined)[] } = {},
): ProviderError {
  if (err instanceof ProviderError) return err;
  const chain = causes(err);
  const top = chain[0] ?? {};
  const message = redact(vendorMessage(top) ?? (typeof top.message === 'string' && top.message ? top.message : String(err)), ctx.secrets);
  const make = (code: ProviderErrorCode, status?: number, retryAfterMs?: number) =>
    new ProviderError(provider, code, message, { status, retryable: RETRYABLE.has(code), retryAfterMs, cause: err });

  const timedOut = chain.some((e) => /Timeout/.test(e.name ?? '') || /Timeout/.test(e.constructor?.name ?? '') || e.code === 'ETIMEDOUT');
  // An SDK's own timeout aborts its request, so its timeout error may carry an AbortError among
  // its causes (OpenAI's APIConnectionTimeoutError does): that is a timeout, not our abort.
  if (ctx.signal?.aborted || (!timedOut && chain.some((e) => e.name === 'AbortError' || /UserAbort|RequestAborted/.test(e.constructor?.name ?? '')))) {
    return new ProviderError(provider, ProviderErrorCode.Aborted, 'The request was aborted', { cause: err });
  }
  if (chain.some((e) => e instanceof UnsafeAddressError)) return make(ProviderErrorCode.UnsafeBaseUrl);
  const withStatus = chain.find((e) => typeof e.status === 'number' || typeof e.statusCode === 'number');
  const status = withStatus ? Number(withStatus.status ?? withStatus.statusCode) : undefined;
  if (status !== undefined && status >= 300) {
    let code = codeForStatus(status);
    const type = vendorType(withStatus!);
    if (status === 400 && type) code = codeForType(type) ?? code;
    return make(code, status, parseRetryAfter(withStatus!.headers) ?? retryDelayInBody(withStatus!));
  }
  const type = chain.map(vendorType).find((t) => t !== undefined);
  const typed = type ? codeForType(type) : undefined;
  if (typed) return make(typed, undefined, parseRetryAfter(top.headers));
  if (timedOut) return make(ProviderErrorCode.Timeout);
  if (
    chain.some(
      (e) =>
        /Connection/.test(e.constructor?.name ?? '') ||
        (typeof e.code === 'string' && /^(ECONN|EPIPE|ENOTFOUND|EAI_|UND_ERR)/.test(e.code)) ||
        CONNECTION_MESSAGE.test(e.message ?? ''),
    )
  ) {
    return make(ProviderErrorCode.Connection);
  }
  // An error object inside the stream without a type (OpenAI `data: {"error": ...}`).
  if (top.error !== undefined || /APIError|ApiError|MistralError/.test(top.constructor?.name ?? '')) {
    return make(ProviderErrorCode.Upstream);
  }
  return make(ProviderErrorCode.Unknown);
}
