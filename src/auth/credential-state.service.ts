import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Role } from '../common/auth/principal.js';
import { KeyValueStore } from '../state/key-value.store.js';
import type { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

export interface UserStatus {
  role: Role;
  active: boolean;
}

const USER_CACHE_TTL_MS = 5 * 60_000;

// What makes a still-valid JWT unusable, checked on every request in one key/value round trip:
// a revoked token id (logout), a revoked refresh family (logout elsewhere, password change,
// reuse detection) and the user's current role and active flag (cached, written through on change).
@Injectable()
export class CredentialStateService {
  constructor(
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

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
