import { Inject, Injectable, Logger } from '@nestjs/common';
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

export interface UserCredential {
  apiKey: string;
  baseUrl: string | null;
}

// The encryption key in use; older versions would be added here when ENCRYPTION_KEY rotates.
const CURRENT_KEY_VERSION = 1;

@Injectable()
export class ProviderKeysService {
  private readonly logger = new Logger('ProviderKeysService');
  private readonly cipher: KeyCipher;

  constructor(
    @Inject(ProviderKeysRepository) private readonly keys: ProviderKeysRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.cipher = new KeyCipher(new Map([[CURRENT_KEY_VERSION, config.encryptionKey]]), CURRENT_KEY_VERSION);
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
    return ProviderKeyResponseDto.from(row);
  }

  async list(userId: string): Promise<ProviderKeyListDto> {
    const rows = await this.keys.listForUser(userId);
    return { data: rows.map((r) => ProviderKeyResponseDto.from(r)) };
  }

  async remove(userId: string, provider: string): Promise<void> {
    if (!(await this.keys.deleteForUser(userId, provider))) throw AppError.notFound('Provider key');
  }

  async hasKey(userId: string, provider: string): Promise<boolean> {
    return (await this.keys.findForUser(userId, provider)) !== null;
  }

  // Every usable key of a user, decrypted, by provider id. A row that fails to decrypt is
  // skipped (and logged without its content) rather than failing every request.
  async credentials(userId: string): Promise<Map<string, UserCredential>> {
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
