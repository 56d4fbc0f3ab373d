import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { KeyValueStore } from '../state/key-value.store.js';
import { AuthError } from './auth.errors.js';

// Strict limits on the credential endpoints: failed logins per account and per IP, and
// registrations per IP, each in a fixed window (RATE_LIMIT_AUTH_WINDOW_SECONDS).
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  private get windowMs(): number {
    return this.config.rateLimit.authWindowSeconds * 1000;
  }

  async assertLoginAllowed(email: string, ip: string): Promise<void> {
    const { loginPerAccount, loginPerIp } = this.config.rateLimit;
    const [account, address] = await Promise.all([
      this.kv.getCounter(accountKey(email)),
      this.kv.getCounter(ipKey(ip)),
    ]);
    if (account.count >= loginPerAccount) throw AuthError.tooManyAttempts(seconds(account.ttlMs));
    if (address.count >= loginPerIp) throw AuthError.tooManyAttempts(seconds(address.ttlMs));
  }

  async recordLoginFailure(email: string, ip: string): Promise<void> {
    await Promise.all([this.kv.increment(accountKey(email), this.windowMs), this.kv.increment(ipKey(ip), this.windowMs)]);
  }

  async recordLoginSuccess(email: string): Promise<void> {
    await this.kv.delete(accountKey(email));
  }

  async assertRegistrationAllowed(ip: string): Promise<void> {
    const counter = await this.kv.increment(`auth:register:ip:${ip}`, this.windowMs);
    if (counter.count > this.config.rateLimit.registerPerIp) throw AuthError.tooManyAttempts(seconds(counter.ttlMs));
  }
}

const accountKey = (email: string) => `auth:login-fail:account:${email}`;
const ipKey = (ip: string) => `auth:login-fail:ip:${ip}`;
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
