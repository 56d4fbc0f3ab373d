import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { decodeCursor, encodeCursor, type Page } from '../common/pagination/cursor.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MessageResponseDto } from './dto/message.dto.js';
import type { Message } from './entities/message.entity.js';
import type { StreamEvent } from '../streaming/stream-event.js';
import { finalEvent } from './generation/final-event.js';
import { GenerationService } from './generation/generation.service.js';
import { MessagesRepository } from './messages.repository.js';

// Reading and reshaping the message tree: branches, single messages, switching, deleting, stopping.
@Injectable()
export class MessageTreeService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(MessagesRepository) private readonly messages: MessagesRepository,
    @Inject(GenerationService) private readonly generation: GenerationService,
  ) {}

  async requireMessage(userId: string, id: string): Promise<Message> {
    const message = await this.messages.findForUser(userId, id);
    if (!message) throw AppError.notFound('Message');
    return message;
  }

  async get(userId: string, id: string): Promise<MessageResponseDto> {
    return (await this.withSiblings([await this.requireMessage(userId, id)]))[0];
  }

  // The current branch, root to leaf; pages continue towards the root.
  async branch(userId: string, sessionId: string, limit: number, cursor?: string): Promise<Page<MessageResponseDto>> {
    const session = await this.sessions.requireReadable(userId, sessionId);
    let leafId = session.currentLeafId;
    const above = decodeCursor(cursor, { above: 'uuid' });
    if (above) {
      const boundary = await this.requireMessage(userId, above.above);
      if (boundary.sessionId !== sessionId) throw AppError.notFound('Message');
      leafId = boundary.parentId;
    }
    if (!leafId) return { data: [], nextCursor: null };
    const chain = await this.messages.branchTo(leafId, limit + 1);
    const more = chain.length > limit;
    const page = more ? chain.slice(1) : chain;
    return { data: await this.withSiblings(page), nextCursor: more ? encodeCursor({ above: page[0].id }) : null };
  }

  // Shows another branch: the newest leaf under the chosen message becomes current.
  async select(userId: string, id: string, limit: number): Promise<Page<MessageResponseDto>> {
    const message = await this.requireMessage(userId, id);
    const leafId = await this.messages.newestLeafUnder(message.sessionId, message.id);
    await this.sessions.recordActivity(message.sessionId, leafId);
    return this.branch(userId, message.sessionId, limit);
  }

  async stop(userId: string, id: string): Promise<MessageResponseDto> {
    const message = await this.requireMessage(userId, id);
    if (message.status === 'streaming') await this.generation.stop(message);
    return this.get(userId, id);
  }

  // Deletes the message and everything under it; replies generating there are stopped first,
  // so their readers get a final event.
  async delete(userId: string, id: string): Promise<void> {
    const message = await this.requireMessage(userId, id);
    const session = await this.sessions.requireReadable(userId, message.sessionId);
    // In a group session members delete only what they wrote (and the replies to it), not a
    // branch others wrote in below it; the owner deletes anything.
    if (session.role !== 'owner') {
      if (message.authorId !== userId) throw new AppError(CommonErrorCode.Forbidden, 'Only the session owner or the author can delete this message');
      if (await this.messages.othersWroteInSubtree(id, userId)) {
        throw new AppError(CommonErrorCode.Forbidden, 'Other members wrote below this message; only the session owner can delete it');
      }
    }
    for (const streaming of await this.messages.streamingInSubtree(id)) await this.generation.stop(streaming, 1_000);
    await this.dataSource.transaction(async (manager) => {
      const current = await this.sessions.requireReadable(userId, message.sessionId, manager);
      const leafGone = current.currentLeafId !== null && (await this.messages.isInSubtree(id, current.currentLeafId, manager));
      await this.messages.delete(id, manager);
      if (leafGone) {
        const leaf = await this.messages.newestLeafUnder(message.sessionId, message.parentId, manager);
        await this.sessions.recordActivity(message.sessionId, leaf, manager);
      }
    });
  }

  streamingIds(sessionId: string): Promise<string[]> {
    return this.messages.streamingInSession(sessionId);
  }

  // The final event of a finished reply, as its stream ended (seq = the message's lastSeq).
  async finalEventFor(message: Message): Promise<StreamEvent> {
    return finalEvent((await this.withSiblings([message]))[0], message.lastSeq);
  }

  private async withSiblings(messages: Message[]): Promise<MessageResponseDto[]> {
    if (messages.length === 0) return [];
    const parents = [...new Set(messages.map((m) => m.parentId))];
    const children = await this.messages.childrenOf(messages[0].sessionId, parents);
    return messages.map((m) => MessageResponseDto.from(m, children.get(m.parentId) ?? [m.id]));
  }
}
