import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyScope, Principal } from '../common/auth/principal.js';
import { AppError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/cursor.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { CredentialStateService } from './credential-state.service.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { ApiKeyResponseDto, type CreatedApiKeyResponseDto } from './dto/api-key.dto.js';
import { displayPrefix, newApiKey, sha256 } from './secrets.js';

const DEFAULT_SCOPES: ApiKeyScope[] = ['read', 'write'];

@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(ApiKeysRepository) private readonly apiKeys: ApiKeysRepository,
    @Inject(CredentialStateService) private readonly credentialState: CredentialStateService,
  ) {}

  async create(
    principal: Principal,
    input: { name: string; scopes?: ApiKeyScope[]; expiresAt?: string },
  ): Promise<CreatedApiKeyResponseDto> {
    const scopes = input.scopes ?? DEFAULT_SCOPES;
    // A key never carries more than its creator: no admin scope for plain users, and an
    // API key cannot mint a key with scopes it does not have itself.
    if (scopes.includes('admin') && principal.role !== 'admin') {
      throw new AuthError(AuthErrorCode.ScopeNotAllowed, 'Only administrators can create keys with the admin scope');
    }
    if (principal.scopes && scopes.some((s) => !principal.scopes!.includes(s))) {
      throw new AuthError(AuthErrorCode.ScopeNotAllowed, 'An API key cannot create a key with more scopes than its own');
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new AuthError(AuthErrorCode.InvalidExpiry, 'expiresAt must be in the future');
    }
    const key = newApiKey();
    const row = await this.apiKeys.insert({
      userId: principal.userId,
      name: input.name.trim(),
      prefix: displayPrefix(key),
      keyHash: sha256(key),
      scopes,
      expiresAt,
    });
    return { ...ApiKeyResponseDto.from(row), key };
  }

  async list(principal: Principal, limit: number, cursor?: string): Promise<Page<ApiKeyResponseDto>> {
    const after = decodeCursor(cursor, { id: 'uuid' });
    const rows = await this.apiKeys.listPageForUser(principal.userId, limit, after?.id);
    return toPage(rows, limit, (k) => ApiKeyResponseDto.from(k), (k) => ({ id: k.id }));
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.apiKeys.revoke(id, principal.userId))) throw AppError.notFound('API key');
    await this.credentialState.apiKeyRevoked(id);
  }
}
