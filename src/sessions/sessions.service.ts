import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { KnowledgeBasesService } from '../knowledge-base/knowledge-bases.service.js';
import { ProvidersService } from '../providers/providers.service.js';
import { PubSub } from '../state/pub-sub.js';
import { STOP_CHANNEL } from '../streaming/channels.js';
import type { CreateSessionDto, UpdateSessionDto } from './dto/session.dto.js';
import { SessionResponseDto } from './dto/session.dto.js';
import { type SessionPatch, SessionsRepository, type SessionView } from './sessions.repository.js';

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(KnowledgeBasesService) private readonly knowledgeBases: KnowledgeBasesService,
    @Inject(PubSub) private readonly pubsub: PubSub,
  ) {}

  // Every access to a session goes through here: owners and members read and post; anyone
  // else gets a 404 (no existence oracle).
  async requireReadable(userId: string, id: string, manager?: EntityManager): Promise<SessionView> {
    const session = await this.sessions.findReadable(userId, id, manager);
    if (!session) throw AppError.notFound('Session');
    return session;
  }

  // Settings, members and deletion are the owner's; a member is told so (they know it exists).
  async requireOwned(userId: string, id: string): Promise<SessionView> {
    const session = await this.requireReadable(userId, id);
    if (session.role !== 'owner') throw new AppError(CommonErrorCode.Forbidden, 'Only the owner of this session can do that');
    return session;
  }

  async create(userId: string, input: CreateSessionDto): Promise<SessionResponseDto> {
    const fallback = this.providers.defaultRoute();
    const provider = input.settings?.provider ?? fallback?.provider;
    const model = input.settings?.model ?? (provider === fallback?.provider ? fallback?.model : undefined);
    if (!provider || !model) {
      throw new AppError(
        CommonErrorCode.BadRequest,
        'settings.provider and settings.model are required: the server has no default model configured',
      );
    }
    await this.providers.assertUsable(userId, provider);
    const knowledgeBaseIds = await this.ownKnowledgeBases(userId, input.settings?.knowledgeBaseIds ?? []);
    const session = await this.sessions.insert({
      id: newId(),
      userId,
      title: input.title ?? null,
      provider,
      model,
      systemPrompt: input.settings?.systemPrompt ?? null,
      temperature: input.settings?.temperature ?? null,
      maxTokens: input.settings?.maxTokens ?? null,
      contextMessages: input.settings?.contextMessages ?? null,
      pinned: input.pinned ?? false,
      archived: input.archived ?? false,
      folder: input.folder ?? null,
      tags: uniqueTags(input.tags ?? []),
      knowledgeBaseIds,
      currentLeafId: null,
    });
    return SessionResponseDto.from(session);
  }

  async get(userId: string, id: string): Promise<SessionResponseDto> {
    return SessionResponseDto.from(await this.requireReadable(userId, id));
  }

  async update(userId: string, id: string, input: UpdateSessionDto): Promise<SessionResponseDto> {
    const session = await this.requireOwned(userId, id);
    const settings = input.settings ?? {};
    const patch: SessionPatch = {};
    if (settings.provider !== undefined && settings.provider !== session.provider) {
      await this.providers.assertUsable(userId, settings.provider);
      // The old model is another vendor's id: the new provider's model is named, or the
      // server's default when that is the provider's.
      const fallback = this.providers.defaultRoute();
      const model = settings.model ?? (fallback?.provider === settings.provider ? fallback.model : undefined);
      if (!model) throw new AppError(CommonErrorCode.BadRequest, 'settings.model is required when settings.provider changes');
      patch.model = model;
    }
    if (input.title !== undefined) patch.title = input.title;
    if (settings.provider !== undefined) patch.provider = settings.provider;
    if (settings.model !== undefined) patch.model = settings.model;
    if (settings.systemPrompt !== undefined) patch.systemPrompt = settings.systemPrompt;
    if (settings.temperature !== undefined) patch.temperature = settings.temperature;
    if (settings.maxTokens !== undefined) patch.maxTokens = settings.maxTokens;
    if (settings.contextMessages !== undefined) patch.contextMessages = settings.contextMessages;
    if (settings.knowledgeBaseIds !== undefined) patch.knowledgeBaseIds = await this.ownKnowledgeBases(userId, settings.knowledgeBaseIds);
    if (input.pinned !== undefined) patch.pinned = input.pinned;
    if (input.archived !== undefined) patch.archived = input.archived;
    if (input.folder !== undefined) patch.folder = input.folder;
    if (input.tags !== undefined) patch.tags = uniqueTags(input.tags);
    await this.sessions.update(id, patch);
    return this.get(userId, id);
  }

  // Messages go with the session (cascade). Replies still generating in it are told to stop,
  // wherever they run: their followers get a final MESSAGE_DELETED error. Should the stop not
  // reach them, their runs find the rows gone at their next partial save or heartbeat.
  async delete(userId: string, id: string): Promise<void> {
    await this.requireOwned(userId, id);
    const streaming = await this.sessions.delete(userId, id);
    if (!streaming) throw AppError.notFound('Session');
    await Promise.all(streaming.map((messageId) => this.pubsub.publish(STOP_CHANNEL, messageId))).catch((err: unknown) =>
      this.logger.warn({ err, sessionId: id }, 'Could not stop the replies of a deleted session'),
    );
  }

  // Another user's (or a missing) knowledge base is a 404, as on its own routes.
  private async ownKnowledgeBases(userId: string, ids: string[]): Promise<string[]> {
    return (await this.knowledgeBases.requireAllOwned(userId, ids)).map((kb) => kb.id);
  }

  recordActivity(...args: Parameters<SessionsRepository['recordActivity']>): Promise<void> {
    return this.sessions.recordActivity(...args);
  }

  setTitleIfUnset(id: string, title: string): Promise<boolean> {
    return this.sessions.setTitleIfUnset(id, title);
  }
}

function uniqueTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))];
}
