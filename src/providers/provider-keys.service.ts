import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import type { ServerProviderConfig } from '../config/providers-config.js';
import { assertPublicUrl } from './address-guard.js';
import { ProviderKeyListDto, ProviderKeyResponseDto } from './dto/provider-key.dto.js';
import type { ProviderKey } from './entities/provider-key.entity.js';
import { KeyCipher } from './key-cipher.js';
import { USER_BASE_URL_KINDS } from './provider-factory.js';
import { ProviderKeysRepository } from './provider-keys.repository.js';
import { ProvidersError, ProvidersErrorCode } from './providers.errors.js';
import { PubSub, type Unsubscribe } from '../state/pub-sub.js';
import { TtlCache } from './ttl-cache.js';

export interface UserCredential {
  apiKey: string;
  baseUrl: string | null;
}

// The encryption key in use; older versions would be added here when ENCRYPTION_KEY rotates.
const CURRENT_KEY_VERSION = 1;

// Every reply reads its user's keys before calling the vendor: they are cached per user, dropped
// on every instance when the user changes one (pub/sub), and kept at most this long in case an
// invalidation is lost.
const CREDENTIALS_TTL_MS = 30_000;
const CREDENTIALS_MAX_USERS = 10_000;
const KEYS_CHANGED_CHANNEL = 'provider-keys:changed';

@Injectable()
export class ProviderKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ProviderKeysService');
  private readonly cipher: KeyCipher;
  private readonly cache = new TtlCache<Map<string, UserCredential>>(CREDENTIALS_TTL_MS, CREDENTIALS_MAX_USERS);
  private unsubscribe?: Unsubscribe;

  constructor(
    @Inject(ProviderKeysRepository) private readonly keys: ProviderKeysRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PubSub) private readonly pubsub: PubSub,
  ) {
    this.cipher = new KeyCipher(new Map([[CURRENT_KEY_VERSION, config.encryptionKey]]), CURRENT_KEY_VERSION);
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(KEYS_CHANGED_CHANNEL, (userId) => this.cache.delete(userId));
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.();
  }

  entry(provider: string): ServerProviderConfig {
    const entry = this.config.providers.entries.find((p) => p.id === provider);
    if (!entry) throw ProvidersError.unknown(provider);
    return entry;
  }

  async put(userId: string, provider: string, input: { apiKey: string; baseUrl?: string }): Promise<ProviderKeyResponseDto> {
    const entry = this.entry(provider);
    const baseUrl = input.baseUrl?.trim().replace(/\/+$/, '') || null;
    if (baseUrl !== null) {
      if (!USER_BASE_URL_KINDS.has(entry.kind)) {
        throw new ProvidersError(ProvidersErrorCode.BaseUrlNotAllowed, `A base URL cannot be set for ${entry.name}`);
      }
      if (!this.config.providers.allowPrivateBaseUrls) {
        try {
          await assertPublicUrl(baseUrl);
        } catch {
          throw new ProvidersError(ProvidersErrorCode.UnsafeBaseUrl, 'baseUrl must resolve to a public internet address');
        }
      }
    }
    const sealed = this.cipher.seal(input.apiKey.trim(), associatedData(userId, provider));
    const row = await this.keys.upsert({
      userId,
      provider,
      baseUrl,
      encryptedKey: sealed.ciphertext,
      iv: sealed.iv,
      authTag: sealed.authTag,
      keyVersion: sealed.keyVersion,
    });
    await this.changed(userId);
    return ProviderKeyResponseDto.from(row);
  }

  async list(userId: string): Promise<ProviderKeyListDto> {
    const rows = await this.keys.listForUser(userId);
    return { data: rows.map((r) => ProviderKeyResponseDto.from(r)) };
  }

  async remove(userId: string, provider: string): Promise<void> {
    if (!(await this.keys.deleteForUser(userId, provider))) throw AppError.notFound('Provider key');
    await this.changed(userId);
  }

  // Here at once; on other instances when the message arrives.
  private async changed(userId: string): Promise<void> {
    this.cache.delete(userId);
    await this.pubsub.publish(KEYS_CHANGED_CHANNEL, userId).catch((err: unknown) => {
      this.logger.warn({ err }, 'Could not tell other instances about a changed provider key; they refresh within 30 s');
    });
  }

  async hasKey(userId: string, provider: string): Promise<boolean> {
    return (await this.keys.findForUser(userId, provider)) !== null;
  }

  // Every usable key of a user, decrypted, by provider id. A row that fails to decrypt is
  // skipped (and logged without its content) rather than failing every request. The map and its
  // entries are shared by callers: do not change them.
  credentials(userId: string): Promise<Map<string, UserCredential>> {
    return this.cache.get(userId, () => this.load(userId));
  }

  private async load(userId: string): Promise<Map<string, UserCredential>> {
    const rows = await this.keys.listForUser(userId);
    const out = new Map<string, UserCredential>();
    for (const row of rows) {
      const apiKey = this.open(row);
      if (apiKey !== undefined) out.set(row.provider, { apiKey, baseUrl: row.baseUrl });
    }
    return out;
  }

  private open(row: ProviderKey): string | undefined {
    try {
      return this.cipher.open(
        { ciphertext: row.encryptedKey, iv: row.iv, authTag: row.authTag, keyVersion: row.keyVersion },
        associatedData(row.userId, row.provider),
      );
    } catch {
      this.logger.warn({ providerKeyId: row.id, provider: row.provider }, 'A stored provider key could not be decrypted');
      return undefined;
    }
  }
}

function associatedData(userId: string, provider: string): string {
  return `provider-key:${userId}:${provider}`;
}
