import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppConfig } from '../../config/app-config.js';
import { type AuthenticatedRequest, IS_PUBLIC, REQUIRED_ROLE } from '../../common/auth/decorators.js';
import type { ApiKeyScope, Principal, Role } from '../../common/auth/principal.js';
import { AppError, CommonErrorCode } from '../../common/errors/domain-error.js';

const unauthorized = () => new AppError(CommonErrorCode.Unauthorized, 'Missing or invalid credentials');

// Passport tries the strategies in order; the first that accepts the request wins.
function passportGuard(strategies: string[]) {
  return class extends AuthGuard(strategies) {
    override handleRequest<TUser>(err: unknown, user: TUser): TUser {
      if (err || !user) throw unauthorized();
      return user;
    }
  };
}
const LocalCredentials = passportGuard(['api-key', 'jwt']);
const LocalOrExternalCredentials = passportGuard(['api-key', 'jwt', 'oidc']);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Global guard: every HTTP route needs credentials unless marked @Public(). API keys are
// further limited by their scopes: `read` for safe methods, `write` for the rest, `admin` for
// admin routes (on top of the owner's role).
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly credentials: CanActivate;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.credentials = config.auth.oidc ? new LocalOrExternalCredentials() : new LocalCredentials();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    await this.credentials.canActivate(context);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.user;
    if (!principal) throw unauthorized();

    assertScope(principal, READ_METHODS.has(request.method) ? 'read' : 'write');
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role === 'admin') {
      if (principal.role !== 'admin') throw new AppError(CommonErrorCode.Forbidden, 'This route is for administrators');
      assertScope(principal, 'admin');
    }
    return true;
  }
}

function assertScope(principal: Principal, scope: ApiKeyScope): void {
  if (principal.scopes && !principal.scopes.includes(scope)) {
    throw new AppError(CommonErrorCode.Forbidden, `This API key lacks the "${scope}" scope`);
  }
}
