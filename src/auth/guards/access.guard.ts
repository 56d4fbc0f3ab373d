import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppConfig } from '../../config/app-config.js';
import { type AuthenticatedRequest, IS_PUBLIC, REQUIRED_ROLE } from '../../common/auth/decorators.js';
import type { ApiKeyScope, Principal, Role } from '../../common/auth/principal.js';
import { AppError, CommonErrorCode } from '../../common/errors/domain-error.js';
import { AuthenticatorService } from '../authenticator.service.js';
import { BearerAuthService } from '../bearer-auth.service.js';
import { extractApiKey } from '../strategies/api-key.strategy.js';

const unauthorized = () => new AppError(CommonErrorCode.Unauthorized, 'Missing or invalid credentials');

// External tokens go through passport (passport-jwt with the issuer's JWKS).
class ExternalCredentials extends AuthGuard(['oidc']) {
  override handleRequest<TUser>(err: unknown, user: TUser): TUser {
    if (err || !user) throw unauthorized();
    return user;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// `Authorization: <scheme> <credentials>`, the scheme matched case-insensitively (as passport-jwt).
function bearerToken(header: string | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /(\S+)\s+(\S+)/.exec(header);
  return match && match[1].toLowerCase() === 'bearer' ? match[2] : undefined;
}

// Global guard: every HTTP route needs credentials unless marked @Public(). Credentials are tried
// in order, the first accepted wins: an API key (X-API-Key or Bearer cbx_...), our access token,
// then (when OIDC_ISSUER is set) an external identity provider's token. Our own credentials are
// checked directly rather than through passport (a fifth of the request's CPU), their state
// through CredentialStateService (usually from this process's memory).
// API keys are further limited by their scopes: `read` for safe methods, `write` for the rest,
// `admin` for admin routes (on top of the owner's role).
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly external?: CanActivate;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AppConfig) config: AppConfig,
    @Inject(AuthenticatorService) private readonly authenticator: AuthenticatorService,
    @Inject(BearerAuthService) private readonly bearer: BearerAuthService,
  ) {
    if (config.auth.oidc) this.external = new ExternalCredentials();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let principal: Principal | null;
    try {
      principal = await this.localPrincipal(request);
    } catch {
      // As under passport: a failing check (store unreachable) refuses the credential.
      throw unauthorized();
    }
    if (principal) request.user = principal;
    else if (this.external) await this.external.canActivate(context);
    else throw unauthorized();
    principal = request.user ?? null;
    if (!principal) throw unauthorized();

    assertScope(principal, READ_METHODS.has(request.method) ? 'read' : 'write');
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role === 'admin') {
      if (principal.role !== 'admin') throw new AppError(CommonErrorCode.Forbidden, 'This route is for administrators');
      assertScope(principal, 'admin');
    }
    return true;
  }

  private async localPrincipal(request: AuthenticatedRequest): Promise<Principal | null> {
    const key = extractApiKey(request);
    if (key && key.length <= 128) {
      const principal = await this.authenticator.fromApiKey(key);
      if (principal) return principal;
    }
    const token = bearerToken(request.headers.authorization);
    const claims = token ? this.bearer.verifyAccessToken(token) : null;
    return claims ? this.authenticator.fromAccessToken(claims) : null;
  }
}

function assertScope(principal: Principal, scope: ApiKeyScope): void {
  if (principal.scopes && !principal.scopes.includes(scope)) {
    throw new AppError(CommonErrorCode.Forbidden, `This API key lacks the "${scope}" scope`);
  }
}
