import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { KeyValueStore } from '../../state/key-value.store.js';
import type { AuthenticatedRequest } from '../auth/decorators.js';
import { AppError } from '../errors/domain-error.js';

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
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = request.user ? `u:${request.user.userId}` : `ip:${request.ip}`;
    const { windowSeconds, max } = this.config.rateLimit;
    const counter = await this.kv.increment(`rl:${caller}`, windowSeconds * 1000);
    if (counter.count > max) throw AppError.rateLimited(Math.max(1, Math.ceil(counter.ttlMs / 1000)));
    return true;
  }
}
