import { type CanActivate, type ExecutionContext, Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { type Counter, KeyValueStore } from '../../state/key-value.store.js';
import type { AuthenticatedRequest } from '../auth/decorators.js';
import { AppError } from '../errors/domain-error.js';
import { BatchedRateCounter } from './rate-counter.js';

// The key of a caller's general counter: the user when authenticated, else the client IP.
export const rateLimitKey = (caller: string): string => `rl:${caller}`;
export const userCaller = (userId: string): string => `u:${userId}`;

// The general limit per caller (user when authenticated, else client IP): generous by default.
// Counted in this process and synced to the shared store every RATE_LIMIT_SYNC_MS (see
// BatchedRateCounter for the bound across instances); RATE_LIMIT_SYNC_MS=0 counts every request
// in the store. Login and registration have their own strict, always-shared limits in the auth
// module.
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleDestroy {
  private readonly counter?: BatchedRateCounter;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
  ) {
    const { windowSeconds, syncMs } = config.rateLimit;
    if (syncMs > 0) this.counter = new BatchedRateCounter(kv, windowSeconds * 1000, syncMs);
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = rateLimitKey(request.user ? userCaller(request.user.userId) : `ip:${request.ip}`);
    if (this.counter) return this.allow(this.counter.hit(key));
    return this.kv.increment(key, this.config.rateLimit.windowSeconds * 1000).then((counter) => this.allow(counter));
  }

  async onModuleDestroy(): Promise<void> {
    await this.counter?.close();
  }

  private allow(counter: Counter): boolean {
    if (counter.count > this.config.rateLimit.max) throw AppError.rateLimited(Math.max(1, Math.ceil(counter.ttlMs / 1000)));
    return true;
  }
}
