import type { Logger } from '@nestjs/common';
import type { KnowledgeRetrievalService } from '../../knowledge-base/knowledge-retrieval.service.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { ContentPart } from '../../providers/provider.types.js';
import type { ProvidersService, RoutedEvent } from '../../providers/providers.service.js';
import type { StreamBus } from '../../streaming/stream-bus.js';
import type { StreamEvent, StreamEventName } from '../../streaming/stream-event.js';
import { MessageResponseDto } from '../dto/message.dto.js';
import type { Message, MessageError, MessageStatus } from '../entities/message.entity.js';
import { finalEvent } from './final-event.js';
import type { FinalState, MessagesRepository } from '../messages.repository.js';
import type { AbortReason, GenerationJob } from './generation-job.js';
import { ReplyAccumulator } from './reply-accumulator.js';

export interface PartialReply {
  id: string;
  contentParts: ContentPart[];
  content: string;
  seq: number;
}

export interface RunDeps {
  providers: ProvidersService;
  knowledge: KnowledgeRetrievalService;
  messages: MessagesRepository;
  bus: StreamBus;
  logger: Logger;
  maxReplyChars: number;
}

interface PendingEvent {
  event: StreamEventName;
  data: Record<string, unknown>;
}

export const INTERRUPTED_ERROR: MessageError = {
  type: 'about:blank',
  title: 'Reply interrupted',
  status: 503,
  detail: 'The server generating this reply stopped before it finished; the text so far is kept',
  code: 'GENERATION_INTERRUPTED',
};

// One reply being generated: streams provider events to the bus (consecutive deltas coalesced
// while a bus write is in flight), offers its partial content to the service's batched saves, and
// ends the message in exactly one final state.
export class GenerationRun {
  private readonly controller = new AbortController();
  private readonly reply = new ReplyAccumulator();
  // What has gone out on the bus: what a partial save may claim up to `seq`.
  private readonly sent = new ReplyAccumulator();
  private seq = 0;
  private savedSeq = 0;
  private pending: PendingEvent[] = [];
  private sendLoop: Promise<void> | null = null;
  private provider: string;
  private model: string;

  constructor(
    readonly job: GenerationJob,
    private readonly deps: RunDeps,
  ) {
    this.provider = job.provider;
    this.model = job.model;
  }

  abort(reason: AbortReason): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  // Resolves with the final message, or null when something else ended it first.
  async execute(): Promise<Message | null> {
    const started = performance.now();
    let timeToFirstTokenMs: number | null = null;
    let ended: { status: Exclude<MessageStatus, 'streaming'>; error: MessageError | null };
    try {
      const { job } = this;
      const system = await this.withSources(job.system);
      const events = this.deps.providers.stream(
        job.userId,
        { provider: job.provider, model: job.model },
        {
          system,
          messages: job.messages,
          temperature: job.temperature,
          maxTokens: job.maxTokens,
          signal: this.controller.signal,
        },
      );
      for await (const e of events) {
        if (e.type !== 'route' && e.type !== 'usage' && e.type !== 'finish' && timeToFirstTokenMs === null) {
          timeToFirstTokenMs = Math.round(performance.now() - started);
        }
        this.apply(e);
        if (this.reply.size > this.deps.maxReplyChars) {
          this.reply.finishReason = 'length';
          this.abort('limit');
          break;
        }
      }
      // An aborted SDK stream may simply end: the abort reason decides, not the clean end.
      ended = this.controller.signal.aborted ? this.classify(undefined) : { status: 'completed', error: null };
    } catch (err) {
      ended = this.classify(err);
    }
    await this.drain();
    return this.finish(ended.status, ended.error, timeToFirstTokenMs);
  }

  // RAG: the knowledge bases' best chunks join the system prompt, and the citations are saved
  // and announced before the first token. A failed search is logged and the reply goes on
  // without sources rather than failing.
  private async withSources(system: string | undefined): Promise<string | undefined> {
    const { knowledge, messageId } = this.job;
    if (!knowledge) return system;
    try {
      const retrieval = await this.deps.knowledge.retrieve(knowledge.ownerId, knowledge.knowledgeBaseIds, knowledge.query);
      if (!retrieval) return system;
      await this.deps.messages.setCitations(messageId, retrieval.citations);
      this.push('message.citations', { citations: retrieval.citations });
      return retrieval.context ? [system, retrieval.context].filter(Boolean).join('\n\n') : system;
    } catch (err) {
      this.deps.logger.warn({ err, messageId }, 'Knowledge-base search failed; replying without sources');
      return system;
    }
  }

  private apply(e: RoutedEvent): void {
    switch (e.type) {
      case 'route':
        this.provider = e.provider;
        this.model = e.model;
        return;
      case 'text':
        this.reply.text += e.delta;
        return this.push('message.delta', { delta: e.delta });
      case 'reasoning':
        this.reply.reasoning += e.delta;
        return this.push('message.reasoning', { delta: e.delta });
      case 'tool-call':
        this.reply.addToolCall(e.index, e.id, e.name, e.argumentsDelta);
        return this.push('message.tool_call', { index: e.index, id: e.id, name: e.name, argumentsDelta: e.argumentsDelta });
      case 'usage':
        this.reply.usage = e.usage;
        return;
      case 'finish':
        this.reply.finishReason = e.reason;
        return;
    }
  }

  private classify(err: unknown): { status: Exclude<MessageStatus, 'streaming'>; error: MessageError | null } {
    const signal = this.controller.signal;
    if (signal.aborted) {
      const reason = signal.reason as AbortReason;
      if (reason === 'shutdown') return { status: 'interrupted', error: INTERRUPTED_ERROR };
      if (reason === 'limit') return { status: 'completed', error: null };
      return { status: 'cancelled', error: null };
    }
    if (err instanceof ProviderError) return { status: 'error', error: err.toProblem() };
    this.deps.logger.error({ err, messageId: this.job.messageId }, 'Generation failed');
    return {
      status: 'error',
      error: { type: 'about:blank', title: 'Generation failed', status: 500, detail: 'The reply could not be generated', code: 'GENERATION_FAILED' },
    };
  }

  private push(event: StreamEventName, data: Record<string, unknown>): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.event === event && event !== 'message.tool_call') {
      last.data.delta = (last.data.delta as string) + (data.delta as string);
    } else {
      this.pending.push({ event, data });
    }
    this.sendLoop ??= this.send();
  }

  // Sends pending events in batches; events pushed while a batch is in flight go in the next.
  private async send(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0).map((e) => this.stamp(e));
      for (const e of batch) this.sent.applyEvent(e);
      try {
        await this.deps.bus.append(this.job.messageId, batch);
      } catch (err) {
        // Live readers miss these; the saved message still gets the full text.
        this.deps.logger.warn({ err, messageId: this.job.messageId }, 'Stream bus write failed');
      }
    }
    this.sendLoop = null;
  }

  private stamp(e: PendingEvent): StreamEvent {
    const seq = ++this.seq;
    return { seq, event: e.event, data: { messageId: this.job.messageId, seq, ...e.data } };
  }

  private async drain(): Promise<void> {
    while (this.sendLoop) await this.sendLoop;
  }

  // What a partial save would write now (null when nothing new went out since the last one).
  partial(): PartialReply | null {
    if (this.savedSeq === this.seq) return null;
    return { id: this.job.messageId, contentParts: this.sent.parts(), content: this.sent.text, seq: this.seq };
  }

  markSaved(seq: number): void {
    this.savedSeq = Math.max(this.savedSeq, seq);
  }

  private async finish(
    status: Exclude<MessageStatus, 'streaming'>,
    error: MessageError | null,
    timeToFirstTokenMs: number | null,
  ): Promise<Message | null> {
    const usage = this.reply.usage;
    const state: FinalState = {
      status,
      contentParts: this.reply.parts(),
      content: this.reply.text,
      provider: this.provider,
      model: this.model,
      inputTokens: usage?.inputTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      timeToFirstTokenMs,
      finishReason: status === 'completed' ? (this.reply.finishReason ?? 'stop') : status === 'error' ? 'error' : status,
      error,
      lastSeq: this.seq + 1,
    };
    const message = await this.deps.messages.finish(this.job.messageId, state);
    if (message) {
      const siblings = await this.deps.messages.childrenOf(message.sessionId, [message.parentId]);
      const final = finalEvent(MessageResponseDto.from(message, siblings.get(message.parentId) ?? [message.id]), message.lastSeq);
      await this.deps.bus.append(this.job.messageId, [final]).catch((err: unknown) => {
        this.deps.logger.warn({ err, messageId: this.job.messageId }, 'Could not publish the final event');
      });
    }
    return message;
  }
}
