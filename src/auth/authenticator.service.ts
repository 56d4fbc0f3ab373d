import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/auth/principal.js';
import { KeyValueStore } from '../state/key-value.store.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { normalizeEmail } from './auth.service.js';
import { CredentialStateService } from './credential-state.service.js';
import { ExternalIdentitiesRepository } from './external-identities.repository.js';
import { sha256 } from './secrets.js';
import type { AccessTokenClaims } from './tokens.service.js';
import { UsersRepository } from './users.repository.js';

// Last-use times are written at most this often per key, keeping writes off most requests.
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export interface ExternalClaims {
  iss: string;
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  name?: unknown;
  exp?: number;
}

// Turns a verified credential into a Principal, or null when it must not be accepted.
@Injectable()
export class AuthenticatorService {
  private readonly logger = new Logger(AuthenticatorService.name);

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(CredentialStateService) private readonly credentialState: CredentialStateService,
    @Inject(ApiKeysRepository) private readonly apiKeys: ApiKeysRepository,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(ExternalIdentitiesRepository) private readonly identities: ExternalIdentitiesRepository,
    @Inject(KeyValueStore) private readonly kv: KeyValueStore,
  ) {}

  async fromAccessToken(claims: AccessTokenClaims): Promise<Principal | null> {
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.sid !== 'string') return null;
    const status = await this.credentialState.statusForAccessToken(claims.sub, claims.jti, claims.sid);
    if (!status?.active) return null;
    return {
      userId: claims.sub,
      role: status.role,
      kind: 'access-token',
      tokenId: claims.jti,
      familyId: claims.sid,
      tokenExpiresAt: claims.exp,
    };
  }

  async fromApiKey(secret: string): Promise<Principal | null> {
    const hash = sha256(secret);
    const key = await this.credentialState.apiKey(hash, () => this.apiKeys.findActiveByHash(hash));
    if (!key) return null;
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > API_KEY_TOUCH_INTERVAL_MS) {
      // The cached copy too, or every request until it expires would touch again. Awaited (once
      // a minute per key): a request's use is recorded by the time it is answered, even when its
      // copy of the key came from memory and no later request will touch again.
      key.lastUsedAt = new Date();
      await this.apiKeys.touch(key.id).catch((err: unknown) => this.logger.warn({ err }, 'Could not record API key use'));
    }
    const tokenExpiresAt = key.expiresAt ? key.expiresAt.getTime() / 1000 : undefined;
    return { userId: key.userId, role: key.role, kind: 'api-key', scopes: key.scopes, apiKeyId: key.id, tokenExpiresAt };
  }

  // Users of an external issuer are matched by issuer + subject and created on first sight.
  // They are never linked to an existing local account by email (that would let whoever controls
  // the issuer take over local accounts); the email is copied only when no one has it yet.
  async fromExternalToken(claims: ExternalClaims): Promise<Principal | null> {
    if (typeof claims.sub !== 'string' || claims.sub.length === 0) return null;
    const cacheKey = `auth:external:${sha256(`${claims.iss}\n${claims.sub}`)}`;
    let userId = await this.kv.get(cacheKey);
    if (!userId) {
      userId = await this.findOrProvision(claims);
      await this.kv.set(cacheKey, userId, { ttlMs: 10 * 60_000 });
    }
    const status = await this.credentialState.statusForUser(userId);
    if (!status?.active) return null;
    return { userId, role: status.role, kind: 'external-token', tokenExpiresAt: claims.exp };
  }

  private async findOrProvision(claims: ExternalClaims): Promise<string> {
    const existing = await this.identities.findUserId(claims.iss, claims.sub);
    if (existing) return existing;
    const email = typeof claims.email === 'string' && claims.email_verified === true ? normalizeEmail(claims.email) : null;
    const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : null;
    return this.dataSource.transaction(async (em) => {
      // Re-checked under the lock: two first requests of one subject create one user.
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${claims.iss}\n${claims.sub}`]);
      const raced = await this.identities.findUserId(claims.iss, claims.sub, em);
      if (raced) return raced;
      const taken: unknown[] = email === null ? [] : await em.query('SELECT 1 FROM users WHERE email = $1', [email]);
      const emailFree = email !== null && taken.length === 0;
      const role = emailFree && this.config.auth.adminEmails.has(email) ? 'admin' : 'user';
      const user = await this.users.insert({ email: emailFree ? email : null, name, passwordHash: null, role }, em);
      await this.identities.insert({ userId: user.id, issuer: claims.iss, subject: claims.sub }, em);
      return user.id;
    });
  }
}
