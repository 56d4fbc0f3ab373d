import { DomainError, retryAfter } from '../common/errors/domain-error.js';

export enum AuthErrorCode {
  InvalidCredentials = 'INVALID_CREDENTIALS',
  EmailTaken = 'EMAIL_TAKEN',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  TooManyAttempts = 'TOO_MANY_ATTEMPTS',
  AccountDisabled = 'ACCOUNT_DISABLED',
  CannotChangeSelf = 'CANNOT_CHANGE_SELF',
  PasswordNotSet = 'PASSWORD_NOT_SET',
  InvalidExpiry = 'INVALID_EXPIRY',
  ScopeNotAllowed = 'SCOPE_NOT_ALLOWED',
}

const STATUS: Record<AuthErrorCode, number> = {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.EmailTaken]: 409,
  [AuthErrorCode.InvalidRefreshToken]: 401,
  [AuthErrorCode.TooManyAttempts]: 429,
  [AuthErrorCode.AccountDisabled]: 401,
  [AuthErrorCode.CannotChangeSelf]: 409,
  [AuthErrorCode.PasswordNotSet]: 409,
  [AuthErrorCode.InvalidExpiry]: 400,
  [AuthErrorCode.ScopeNotAllowed]: 403,
};

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, message: string, headers?: Record<string, string>) {
    super(code, STATUS[code], message, headers);
  }

  static invalidCredentials(): AuthError {
    return new AuthError(AuthErrorCode.InvalidCredentials, 'Invalid email or password');
  }

  static tooManyAttempts(retryAfterSeconds: number): AuthError {
    return new AuthError(AuthErrorCode.TooManyAttempts, `Too many attempts; retry in ${retryAfterSeconds} s`, retryAfter(retryAfterSeconds));
  }
}
