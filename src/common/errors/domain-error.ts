// Base of every module's error class: a stable machine code and the HTTP status it maps to.
// The global filter turns it into application/problem+json.
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    // Extra headers for the response (e.g. Retry-After on a 429).
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function retryAfter(seconds: number): Record<string, string> {
  return { 'retry-after': String(seconds) };
}

export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Forbidden = 'FORBIDDEN',
  Unauthorized = 'UNAUTHORIZED',
  BadRequest = 'BAD_REQUEST',
  RateLimited = 'RATE_LIMITED',
  Unavailable = 'SERVICE_UNAVAILABLE',
}

const COMMON_STATUS: Record<CommonErrorCode, number> = {
  [CommonErrorCode.NotFound]: 404,
  [CommonErrorCode.Conflict]: 409,
  [CommonErrorCode.Forbidden]: 403,
  [CommonErrorCode.Unauthorized]: 401,
  [CommonErrorCode.BadRequest]: 400,
  [CommonErrorCode.RateLimited]: 429,
  [CommonErrorCode.Unavailable]: 503,
};

export class AppError extends DomainError {
  constructor(code: CommonErrorCode, message: string, headers?: Record<string, string>) {
    super(code, COMMON_STATUS[code], message, headers);
  }

  static notFound(what: string): AppError {
    return new AppError(CommonErrorCode.NotFound, `${what} not found`);
  }

  static rateLimited(retryAfterSeconds: number): AppError {
    return new AppError(CommonErrorCode.RateLimited, `Too many requests; retry in ${retryAfterSeconds} s`, retryAfter(retryAfterSeconds));
  }
}
