import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { AppConfig } from '../config/app-config.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type CreatedShareDto, type CreateShareDto, type SharedConversationDto, type ShareListDto, ShareResponseDto } from './dto/sharing.dto.js';
import { SharingRepository } from './sharing.repository.js';

// base64url of 32 random bytes.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

@Injectable()
export class SharingService {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(SharingRepository) private readonly repository: SharingRepository,
  ) {}

  async create(userId: string, sessionId: string, input: CreateShareDto): Promise<CreatedShareDto> {
    const session = await this.sessions.requireOwned(userId, sessionId);
    const token = randomBytes(32).toString('base64url');
    const share = await this.repository.insert({
      id: newId(),
      sessionId,
      tokenHash: hashToken(token),
      mode: input.mode,
      snapshotLeafId: input.mode === 'snapshot' ? session.currentLeafId : null,
    });
    return { ...ShareResponseDto.from(share), token, url: `${this.config.publicBaseUrl}/api/v1/shared/${token}` };
  }

  async list(userId: string, sessionId: string): Promise<ShareListDto> {
    await this.sessions.requireOwned(userId, sessionId);
    return { data: (await this.repository.listActive(sessionId)).map((s) => ShareResponseDto.from(s)) };
  }

  // One link, or every active link of the session when shareId is null.
  async revoke(userId: string, sessionId: string, shareId: string | null): Promise<void> {
    await this.sessions.requireOwned(userId, sessionId);
    const revoked = await this.repository.revoke(sessionId, shareId);
    if (shareId !== null && revoked.length === 0) throw AppError.notFound('Share link');
  }

  // The public view: title and messages only, never who owns the conversation.
  async view(token: string): Promise<SharedConversationDto> {
    const found = TOKEN.test(token) ? await this.repository.findActiveByTokenHash(hashToken(token)) : null;
    if (!found) throw AppError.notFound('Shared conversation');
    const { share } = found;
    const leafId = share.mode === 'snapshot' ? share.snapshotLeafId : found.currentLeafId;
    const rows = leafId ? await this.repository.branch(share.sessionId, leafId, share.mode === 'snapshot' ? share.snapshotAt : null) : [];
    return {
      title: found.title,
      mode: share.mode,
      messages: rows.map((m) => ({
        id: m.id,
        role: m.role,
        contentParts: m.contentParts,
        content: m.content,
        model: m.model,
        createdAt: m.createdAt.toISOString(),
      })),
    };
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
