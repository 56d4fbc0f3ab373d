import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { type Counter, KeyValueStore } from '../../state/key-value.store.js';
import type { AuthenticatedRequest } from '../auth/decorators.js';
import { AppError } from '../errors/domain-error.js';

const COUNTED = Symbol('rate-limit counter');

type CountedRequest = AuthenticatedRequest & { [COUNTED]?: { caller: string; counter: Counter } };

// The key of a caller's general counter: the user when authenticated, else the client IP.
export const rateLimitKey = (caller: string): string => `rl:${caller}`;
export const userCaller = (userId: string): string => `u:${userId}`;

// The authentication guard may have counted this request already, in the same round trip as its
// credential checks (access tokens): this guard then uses that count instead of counting again.
export function markCounted(request: AuthenticatedRequest, caller: string, counter: Counter): void {
  (request as CountedRequest)[COUNTED] = { caller, counter };
}

// The general limit per caller (user when authenticated, else client IP): generous by default.
// Login and registration have their own strict limits in the auth module.
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<CountedRequest>();
    const caller = request.user ? userCaller(request.user.userId) : `ip:${request.ip}`;
    const { windowSeconds, max } = this.config.rateLimit;
    const counted = request[COUNTED];
    const counter = counted?.caller === caller ? counted.counter : await this.kv.increment(rateLimitKey(caller), windowSeconds * 1000);
    if (counter.count > max) throw AppError.rateLimited(Math.max(1, Math.ceil(counter.ttlMs / 1000)));
    return true;
  }
}
