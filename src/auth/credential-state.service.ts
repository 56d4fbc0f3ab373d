import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Principal, Role } from '../common/auth/principal.js';
import { KeyValueStore } from '../state/key-value.store.js';
import { PubSub, type Unsubscribe } from '../state/pub-sub.js';
import { RedisConnection } from '../state/redis-connection.js';
import type { ActiveApiKey } from './api-keys.repository.js';
import { CredentialCache } from './credential-cache.js';
import type { User } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

export interface UserStatus {
  role: Role;
  active: boolean;
}

const USER_CACHE_TTL_MS = 5 * 60_000;
const INVALIDATIONS = 'auth:invalidate';

// What a change of credential state tells every instance to forget.
export type Invalidation = { kind: 'token' | 'family' | 'user' | 'api-key'; id: string };

// Whether the credential behind this principal may be the one the invalidation is about.
export function invalidates(invalidation: Invalidation, principal: Principal): boolean {
  switch (invalidation.kind) {
    case 'token':
      return principal.tokenId === invalidation.id;
    case 'family':
      return principal.familyId === invalidation.id;
    case 'user':
      return principal.userId === invalidation.id;
    case 'api-key':
      return principal.apiKeyId === invalidation.id;
  }
}

// What makes a still-valid JWT or API key unusable: a revoked token id (logout), a revoked refresh
// family (logout elsewhere, password change, reuse detection), the user's current role and active
// flag (kept in the key/value store, written through on change), a revoked API key. Answers are
// kept in this process for AUTH_STATE_CACHE_MS (CredentialCache); every change here drops them
// at once on this instance and, over pub/sub, on the others.
@Injectable()
export class CredentialStateService implements OnModuleInit, OnModuleDestroy {
  private readonly tokens: CredentialCache<UserStatus>;
  private readonly apiKeys: CredentialCache<ActiveApiKey>;
  private unsubscribe?: Unsubscribe;
  private readonly listeners = new Set<(invalidation: Invalidation) => void>();

  constructor(
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PubSub) private readonly pubsub: PubSub,
    @Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null = null,
  ) {
    this.tokens = new CredentialCache(config.auth.stateCacheMs);
    this.apiKeys = new CredentialCache(config.auth.stateCacheMs);
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(INVALIDATIONS, (message) => this.apply(JSON.parse(message) as Invalidation));
    // Messages sent while the subscriber was reconnecting are lost: forget everything instead.
    this.redis?.subscriber.on('ready', this.forgetAll);
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.subscriber.off('ready', this.forgetAll);
    await this.unsubscribe?.();
  }

  // Told of every invalidation, this instance's and the others', once the cache has dropped it.
  onInvalidation(listener: (invalidation: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async statusForAccessToken(userId: string, tokenId?: string, familyId?: string): Promise<UserStatus | null> {
    const cached = tokenId ? this.tokens.get(tokenId) : undefined;
    if (cached && cached.userId === userId && cached.groupId === familyId) return cached.value;
    const epoch = this.tokens.begin();
    const keys = [userKey(userId)];
    if (tokenId) keys.push(tokenKey(tokenId));
    if (familyId) keys.push(familyKey(familyId));
    const [stored, ...denied] = await this.kv.getMany(keys);
    if (denied.some((v) => v !== null)) return null;
    const status = stored ? (JSON.parse(stored) as UserStatus) : await this.loadStatus(userId);
    if (status && tokenId && familyId) this.tokens.set(epoch, tokenId, { userId, groupId: familyId, value: status });
    return status;
  }

  async statusForUser(userId: string): Promise<UserStatus | null> {
    const cached = await this.kv.get(userKey(userId));
    return cached ? (JSON.parse(cached) as UserStatus) : this.loadStatus(userId);
  }

  // An active API key by its hash: from this process's memory, else from `load` (the database).
  async apiKey(hash: string, load: () => Promise<ActiveApiKey | null>): Promise<ActiveApiKey | null> {
    const cached = this.apiKeys.get(hash);
    if (cached) return cached.value;
    const epoch = this.apiKeys.begin();
    const key = await load();
    if (key) this.apiKeys.set(epoch, hash, { userId: key.userId, groupId: key.id, value: key }, key.expiresAt?.getTime());
    return key;
  }

  async denyAccessToken(tokenId: string, expiresAtSeconds: number): Promise<void> {
    const ttlMs = expiresAtSeconds * 1000 - Date.now();
    if (ttlMs > 0) await this.kv.set(tokenKey(tokenId), '1', { ttlMs });
    await this.invalidate({ kind: 'token', id: tokenId });
  }

  // Access tokens of these families die now; they would expire within the access TTL anyway.
  async denyFamilies(familyIds: string[]): Promise<void> {
    const ttlMs = this.config.auth.accessTtlSeconds * 1000;
    await Promise.all(familyIds.map((id) => this.kv.set(familyKey(id), '1', { ttlMs })));
    await Promise.all(familyIds.map((id) => this.invalidate({ kind: 'family', id })));
  }

  async writeThrough(user: User): Promise<void> {
    await this.kv.set(userKey(user.id), JSON.stringify(toStatus(user)), { ttlMs: USER_CACHE_TTL_MS });
    await this.invalidate({ kind: 'user', id: user.id });
  }

  // Call after the key is marked revoked in the database.
  async apiKeyRevoked(keyId: string): Promise<void> {
    await this.invalidate({ kind: 'api-key', id: keyId });
  }

  // Here at once (the change is already stored, so a fresh check sees it), elsewhere by pub/sub.
  private async invalidate(invalidation: Invalidation): Promise<void> {
    this.apply(invalidation);
    await this.pubsub.publish(INVALIDATIONS, JSON.stringify(invalidation));
  }

  private apply(invalidation: Invalidation): void {
    this.drop(invalidation);
    this.listeners.forEach((listener) => listener(invalidation));
  }

  private drop(invalidation: Invalidation): void {
    switch (invalidation.kind) {
      case 'token':
        return this.tokens.dropKey(invalidation.id);
      case 'family':
        return this.tokens.dropGroup(invalidation.id);
      case 'user':
        this.tokens.dropUser(invalidation.id);
        return this.apiKeys.dropUser(invalidation.id);
      case 'api-key':
        return this.apiKeys.dropGroup(invalidation.id);
    }
  }

  private readonly forgetAll = (): void => {
    this.tokens.clear();
    this.apiKeys.clear();
  };

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
