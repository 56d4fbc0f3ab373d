import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import type { Role } from '../common/auth/principal.js';
import { type Counter, KeyValueStore } from '../state/key-value.store.js';
import { RedisConnection } from '../state/redis-connection.js';
import type { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

export interface UserStatus {
  role: Role;
  active: boolean;
}

const USER_CACHE_TTL_MS = 5 * 60_000;

// A request's general rate-limit counter, counted in the same round trip as the credential checks.
export interface RateCount {
  key: string;
  windowMs: number;
}

// One Redis round trip for an access token: the rate-limit counter (INCR, window set on the first
// increment, as KeyValueStore.increment does) and the cached status and denylist entries.
const CHECK_ACCESS_TOKEN_LUA = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl, redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3]), redis.call('GET', KEYS[4])}`;
const CHECK_ACCESS_TOKEN = 'cbxCheckAccessToken';

type CheckingRedis = Redis & {
  [CHECK_ACCESS_TOKEN](rate: string, user: string, token: string, family: string, windowMs: number): Promise<[number, number, string | null, string | null, string | null]>;
};

// What makes a still-valid JWT unusable, checked on every request in one key/value round trip:
// a revoked token id (logout), a revoked refresh family (logout elsewhere, password change,
// reuse detection) and the user's current role and active flag (cached, written through on change).
@Injectable()
export class CredentialStateService {
  private readonly redis: CheckingRedis | null;

  constructor(
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Optional() @Inject(RedisConnection) redis: RedisConnection | null = null,
  ) {
    const client = redis?.commands;
    if (client && !(CHECK_ACCESS_TOKEN in client)) {
      client.defineCommand(CHECK_ACCESS_TOKEN, { numberOfKeys: 4, lua: CHECK_ACCESS_TOKEN_LUA });
    }
    this.redis = (client as CheckingRedis | undefined) ?? null;
  }

  // statusForAccessToken and the rate-limit increment together: one round trip on Redis.
  async checkAccessToken(userId: string, tokenId: string, familyId: string, rate: RateCount): Promise<{ status: UserStatus | null; counter: Counter }> {
    let cached: string | null;
    let denied: (string | null)[];
    let counter: Counter;
    if (this.redis) {
      const [count, ttl, user, token, family] = await this.redis[CHECK_ACCESS_TOKEN](rate.key, userKey(userId), tokenKey(tokenId), familyKey(familyId), rate.windowMs);
      counter = { count: Number(count), ttlMs: Math.max(0, Number(ttl)) };
      cached = user;
      denied = [token, family];
    } else {
      const [values, count] = await Promise.all([this.kv.getMany([userKey(userId), tokenKey(tokenId), familyKey(familyId)]), this.kv.increment(rate.key, rate.windowMs)]);
      [cached, ...denied] = values;
      counter = count;
    }
    if (denied.some((v) => v !== null)) return { status: null, counter };
    return { status: cached ? (JSON.parse(cached) as UserStatus) : await this.loadStatus(userId), counter };
  }

  async statusForAccessToken(userId: string, tokenId?: string, familyId?: string): Promise<UserStatus | null> {
    const keys = [userKey(userId)];
    if (tokenId) keys.push(tokenKey(tokenId));
    if (familyId) keys.push(familyKey(familyId));
    const [cached, ...denied] = await this.kv.getMany(keys);
    if (denied.some((v) => v !== null)) return null;
    return cached ? (JSON.parse(cached) as UserStatus) : this.loadStatus(userId);
  }

  async statusForUser(userId: string): Promise<UserStatus | null> {
    const cached = await this.kv.get(userKey(userId));
    return cached ? (JSON.parse(cached) as UserStatus) : this.loadStatus(userId);
  }

  async denyAccessToken(tokenId: string, expiresAtSeconds: number): Promise<void> {
    const ttlMs = expiresAtSeconds * 1000 - Date.now();
    if (ttlMs > 0) await this.kv.set(tokenKey(tokenId), '1', { ttlMs });
  }

  // Access tokens of these families die now; they would expire within the access TTL anyway.
  async denyFamilies(familyIds: string[]): Promise<void> {
    const ttlMs = this.config.auth.accessTtlSeconds * 1000;
    await Promise.all(familyIds.map((id) => this.kv.set(familyKey(id), '1', { ttlMs })));
  }

  async writeThrough(user: User): Promise<void> {
    await this.kv.set(userKey(user.id), JSON.stringify(toStatus(user)), { ttlMs: USER_CACHE_TTL_MS });
  }

  private async loadStatus(userId: string): Promise<UserStatus | null> {
    const user = await this.users.findById(userId);
    if (!user) return null;
    const status = toStatus(user);
    // onlyIfAbsent: a concurrent write-through of a newer state must win over this fill.
    await this.kv.set(userKey(userId), JSON.stringify(status), { ttlMs: USER_CACHE_TTL_MS, onlyIfAbsent: true });
    return status;
  }
}

function toStatus(user: User): UserStatus {
  return { role: user.role, active: user.active };
}

const userKey = (id: string) => `auth:user:${id}`;
const tokenKey = (jti: string) => `auth:deny:jti:${jti}`;
const familyKey = (familyId: string) => `auth:deny:family:${familyId}`;
