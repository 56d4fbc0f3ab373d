import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { newId } from '../common/ids.js';
import type { ContentPart } from '../providers/provider.types.js';
import { KnowledgeRetrievalService } from '../knowledge-base/knowledge-retrieval.service.js';
import { ProvidersService } from '../providers/providers.service.js';
import type { SessionView } from '../sessions/sessions.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PubSub } from '../state/pub-sub.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { textOf, toUserParts } from './content-parts.js';
import type { EditMessageDto, MessageContentDto, SendMessageDto } from './dto/message.dto.js';
import { MessageResponseDto } from './dto/message.dto.js';
import type { Message } from './entities/message.entity.js';
import { sessionChannel } from '../streaming/channels.js';
import { buildContext, PromptTooLongError } from './generation/context-builder.js';
import { ContextImagesService } from './generation/context-images.service.js';
import { GenerationService } from './generation/generation.service.js';
import { ExchangeRepository } from './exchange.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { MessagesError, MessagesErrorCode } from './messages.errors.js';
import { MessagesRepository, type NewMessage } from './messages.repository.js';

// How far up the branch context is read at most, whatever the session's setting.
const MAX_HISTORY = 1_000;

export interface Exchange {
  userMessage?: MessageResponseDto;
  assistantMessage: MessageResponseDto;
}

interface ReplyPlan {
  session: SessionView;
  // The user message to write first (send, edit); absent when regenerating under an existing one.
  userParts?: ContentPart[];
  parentId: string | null;
  history: Message[];
  idempotency?: Idempotency;
  origin?: string;
}

interface Idempotency {
  key: string;
  hash: string;
}

interface ExchangeIds {
  userMessageId: string | null;
  assistantMessageId: string;
}

// The writes that start a reply: send, edit (a new user sibling) and regenerate (a new reply).
@Injectable()
export class MessageSendService {
  private readonly logger = new Logger(MessageSendService.name);
  // PostgreSQL only: the embedded database has no WAL flush worth skipping.
  private readonly asyncCommit: boolean;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(MessagesRepository) private readonly messages: MessagesRepository,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(ExchangeRepository) private readonly exchanges: ExchangeRepository,
    @Inject(GenerationService) private readonly generation: GenerationService,
    @Inject(PubSub) private readonly pubsub: PubSub,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(ContextImagesService) private readonly images: ContextImagesService,
    @Inject(KnowledgeRetrievalService) private readonly knowledge: KnowledgeRetrievalService,
  ) {
    this.asyncCommit = config.generation.asyncCommit && !config.embeddedDatabase;
  }

  // `origin` tags the session event with the sending connection, so it is not echoed back to it.
  async send(userId: string, sessionId: string, input: SendMessageDto, idempotencyKey?: string, origin?: string): Promise<Exchange> {
    const userParts = await this.userParts(userId, input);
    // Ids compare as stored (lower case): the parent's siblings, the idempotency hash.
    const requestedParent = typeof input.parentId === 'string' ? input.parentId.toLowerCase() : input.parentId;
    const idempotency = keyed(idempotencyKey, ['send', sessionId, requestedParent, userParts]);
    const replayed = await this.replay(userId, idempotency);
    if (replayed) return replayed;
    const session = await this.sessions.requireReadable(userId, sessionId);
    const parentId = requestedParent === undefined ? session.currentLeafId : requestedParent;
    const history = parentId ? await this.branchOf(session, parentId) : [];
    return this.reply(userId, { session, userParts, parentId, history, idempotency, origin });
  }

  async edit(userId: string, messageId: string, input: EditMessageDto, idempotencyKey?: string): Promise<Exchange> {
    const userParts = await this.userParts(userId, input);
    const idempotency = keyed(idempotencyKey, ['edit', messageId, userParts]);
    const replayed = await this.replay(userId, idempotency);
    if (replayed) return replayed;
    const target = await this.requireMessage(userId, messageId);
    if (target.role !== 'user') {
      throw new MessagesError(MessagesErrorCode.NotEditable, 'Only user messages can be edited; regenerate a reply instead');
    }
    const session = await this.sessions.requireReadable(userId, target.sessionId);
    const history = target.parentId ? await this.branchOf(session, target.parentId) : [];
    return this.reply(userId, { session, userParts, parentId: target.parentId, history, idempotency });
  }

  async regenerate(userId: string, messageId: string, idempotencyKey?: string): Promise<Exchange> {
    const idempotency = keyed(idempotencyKey, ['regenerate', messageId]);
    const replayed = await this.replay(userId, idempotency);
    if (replayed) return replayed;
    const target = await this.requireMessage(userId, messageId);
    // Regenerating a reply makes a sibling of it; regenerating a user message answers it anew.
    const parentId = target.role === 'assistant' ? target.parentId : target.id;
    if (!parentId) throw new MessagesError(MessagesErrorCode.NothingToRegenerate, 'This reply has no message to answer');
    const session = await this.sessions.requireReadable(userId, target.sessionId);
    const history = await this.branchOf(session, parentId);
    if (history[history.length - 1]?.role !== 'user') {
      throw new MessagesError(MessagesErrorCode.NothingToRegenerate, 'Only a reply to a user message can be regenerated');
    }
    return this.reply(userId, { session, parentId, history, idempotency });
  }

  private async reply(userId: string, plan: ReplyPlan): Promise<Exchange> {
    const { session } = plan;
    const info = this.providers.modelInfo(session.provider, session.model);
    const maxTokens = session.maxTokens ?? undefined;
    const userMessageId = plan.userParts ? newId() : undefined;
    const assistantId = newId();
    const turn = plan.userParts ? [{ role: 'user' as const, status: 'completed', contentParts: plan.userParts, authorId: userId }] : [];
    const history = info.vision ? await this.images.load([...plan.history, ...turn], userId) : [...plan.history, ...turn];
    let context;
    try {
      context = buildContext(history, session.systemPrompt ?? undefined, {
        contextMessages: session.contextMessages,
        contextWindow: info.contextWindow,
        // Room for the reply, and for knowledge-base sources when the session has any.
        maxOutputTokens: Math.min(maxTokens ?? 4_096, info.contextWindow / 2) + (session.knowledgeBaseIds.length > 0 ? this.knowledge.tokenBudget : 0),
        vision: info.vision,
      });
    } catch (err) {
      if (err instanceof PromptTooLongError) {
        throw new MessagesError(MessagesErrorCode.PromptTooLong, `The message is too long for ${session.model}'s context window`);
      }
      throw err;
    }
    this.generation.assertCapacity(userId);

    const rows: NewMessage[] = [];
    if (plan.userParts) {
      rows.push({
        id: userMessageId!,
        sessionId: session.id,
        parentId: plan.parentId,
        authorId: userId,
        role: 'user',
        status: 'completed',
        contentParts: plan.userParts,
        content: textOf(plan.userParts),
        provider: null,
        model: null,
      });
    }
    rows.push({
      id: assistantId,
      sessionId: session.id,
      parentId: userMessageId ?? plan.parentId,
      authorId: null,
      role: 'assistant',
      status: 'streaming',
      contentParts: [],
      content: '',
      provider: session.provider,
      model: session.model,
    });

    // The vendor request starts while the exchange commits (ids are made here); the reply waits
    // for the commit before publishing anything, and ends silently if it fails or loses the
    // idempotency race.
    const write = plan.idempotency ? this.writeKeyed(userId, rows, plan.idempotency) : this.exchanges.insert(rows, assistantId, this.asyncCommit);
    this.generation.start(
      {
        userId,
        sessionId: session.id,
        messageId: assistantId,
        provider: session.provider,
        model: session.model,
        system: session.systemPrompt ?? undefined,
        messages: context,
        temperature: session.temperature ?? undefined,
        maxTokens,
        titleAfter: session.title === null,
        knowledge:
          session.knowledgeBaseIds.length > 0
            ? { ownerId: session.userId, knowledgeBaseIds: session.knowledgeBaseIds, query: lastUserText(history) }
            : undefined,
      },
      write.then((w) => !('requestHash' in w)),
    );
    const written = await write;
    if ('requestHash' in written) return this.replayOf(userId, plan.idempotency!, written);

    const exchange = await this.toExchange(written.messages, written.children);
    // Not awaited: the sender's response need not wait for Redis, and a lost session event only
    // costs other sockets the live view of this exchange (they still see it on reload). Sent on
    // the next turn, after the sender's response and the reply's first events have gone out.
    setImmediate(() => {
      this.pubsub
        .publish(sessionChannel(session.id), JSON.stringify({ type: 'message.created', origin: plan.origin, ...exchange }))
        .catch((err: unknown) => this.logger.warn({ err, sessionId: session.id }, 'Could not announce a new exchange'));
    });
    return exchange;
  }

  // With an Idempotency-Key the claim joins the exchange's transaction.
  private writeKeyed(userId: string, rows: NewMessage[], idempotency: Idempotency) {
    const [first, last] = [rows[0], rows[rows.length - 1]];
    return this.dataSource.transaction(async (manager) => {
      if (this.asyncCommit) await manager.query('SET LOCAL synchronous_commit = off');
      const ids: ExchangeIds = { userMessageId: rows.length > 1 ? first.id : null, assistantMessageId: last.id };
      const claim = await this.idempotency.claim(manager, userId, idempotency.key, idempotency.hash, ids);
      if (!claim.claimed) return claim;
      const messages = await this.messages.insert(rows, manager);
      await this.sessions.recordActivity(first.sessionId, last.id, manager);
      return { messages, children: undefined };
    });
  }

  // A key seen before answers with its first result (checked first, so a retry is not refused by
  // state the first request created); the transaction's claim settles concurrent first attempts.
  private async replay(userId: string, idempotency: Idempotency | undefined): Promise<Exchange | null> {
    if (!idempotency) return null;
    const stored = await this.idempotency.find<ExchangeIds>(userId, idempotency.key);
    return stored ? this.replayOf(userId, idempotency, stored) : null;
  }

  private replayOf(userId: string, idempotency: Idempotency, stored: { requestHash: string; response: ExchangeIds }): Promise<Exchange> {
    if (stored.requestHash !== idempotency.hash) {
      throw new MessagesError(MessagesErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used for a different request');
    }
    return this.load(userId, stored.response.userMessageId, stored.response.assistantMessageId);
  }

  private async load(userId: string, userMessageId: string | null, assistantId: string): Promise<Exchange> {
    const assistant = await this.requireMessage(userId, assistantId);
    const user = userMessageId ? await this.requireMessage(userId, userMessageId) : undefined;
    return this.toExchange(user ? [user, assistant] : [assistant]);
  }

  // [userMessage?, assistantMessage] with their sibling ids (one query, unless already read).
  private async toExchange(messages: Message[], known?: Map<string | null, string[]>): Promise<Exchange> {
    const assistant = messages[messages.length - 1];
    const user = messages.length > 1 ? messages[0] : undefined;
    const children = known ?? (await this.messages.childrenOf(assistant.sessionId, [...new Set(messages.map((m) => m.parentId))]));
    return {
      ...(user ? { userMessage: MessageResponseDto.from(user, children.get(user.parentId) ?? [user.id]) } : {}),
      assistantMessage: MessageResponseDto.from(assistant, children.get(assistant.parentId) ?? [assistant.id]),
    };
  }

  // The branch ending at `messageId`, root first, in one statement: the caller may read the
  // session, so the message only has to be in it (another session's is a 404 like a missing one).
  private async branchOf(session: SessionView, messageId: string): Promise<Message[]> {
    const branch = await this.messages.branchTo(messageId, Math.min(MAX_HISTORY, (session.contextMessages ?? MAX_HISTORY) + 1));
    const parent = branch[branch.length - 1];
    if (parent?.id !== messageId || parent.sessionId !== session.id) throw AppError.notFound('Message');
    if (parent.status === 'streaming') {
      throw new MessagesError(MessagesErrorCode.ReplyInProgress, 'That reply is still generating; wait for it or stop it first');
    }
    return branch;
  }

  private userParts(userId: string, input: MessageContentDto): Promise<ContentPart[]> {
    return toUserParts(input, async (uploadId) => {
      const upload = await this.uploads.get(userId, uploadId);
      return { filename: upload.filename, contentType: upload.contentType };
    });
  }

  private async requireMessage(userId: string, id: string): Promise<Message> {
    const message = await this.messages.findForUser(userId, id);
    if (!message) throw AppError.notFound('Message');
    return message;
  }
}

// The newest user message's text: the knowledge-base query.
function lastUserText(history: { role: string; contentParts: ContentPart[] }[]): string {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].role === 'user') return textOf(history[i].contentParts);
  return '';
}

function keyed(key: string | undefined, request: unknown[]): Idempotency | undefined {
  return key === undefined ? undefined : { key, hash: createHash('sha256').update(JSON.stringify(request)).digest('hex') };
}
