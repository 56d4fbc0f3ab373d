import type { Logger } from '@nestjs/common';
import type { KnowledgeRetrievalService } from '../../knowledge-base/knowledge-retrieval.service.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { ContentPart } from '../../providers/provider.types.js';
import type { ProvidersService, RoutedEvent } from '../../providers/providers.service.js';
import type { StreamBus } from '../../streaming/stream-bus.js';
import type { StreamEvent, StreamEventName } from '../../streaming/stream-event.js';
import type { TurnBatch } from '../../streaming/turn-batch.js';
import type { Message, MessageError, MessageStatus } from '../entities/message.entity.js';
import { savedFinalEvent } from './final-event.js';
import type { FinalState, MessagesRepository } from '../messages.repository.js';
import type { AbortReason, GenerationJob } from './generation-job.js';
import { type PendingEvent, PendingEvents } from './pending-events.js';
import { ReplyAccumulator } from './reply-accumulator.js';
import { estimateUsage } from './usage-estimate.js';

// A partial save of a reply, claiming what went out on the bus up to `seq`. A text-only reply
// whose previous save is known sends only the text added since (`baseSeq` set: appended in SQL,
// so a long reply does not resend its whole text every interval); otherwise `text` is the whole
// text and `contentParts` the whole parts (null when text only).
export interface PartialReply {
  id: string;
  seq: number;
  baseSeq: number | null;
  text: string;
  contentParts: ContentPart[] | null;
  // The whole text's length at `seq`.
  textLength: number;
}

export interface RunDeps {
  providers: ProvidersService;
  knowledge: KnowledgeRetrievalService;
  messages: MessagesRepository;
  bus: StreamBus;
  // Shared by every run: flushes their pending events at the end of each event-loop turn.
  turn: TurnBatch<GenerationRun>;
  logger: Logger;
  maxReplyChars: number;
}

export const DELETED_ERROR: MessageError = {
  type: 'about:blank',
  title: 'Reply deleted',
  status: 410,
  detail: 'The message or its conversation was deleted while the reply was generating',
  code: 'MESSAGE_DELETED',
};

export const INTERRUPTED_ERROR: MessageError = {
  type: 'about:blank',
  title: 'Reply interrupted',
  status: 503,
  detail: 'The server generating this reply stopped before it finished; the text so far is kept',
  code: 'GENERATION_INTERRUPTED',
};

// One reply being generated: streams provider events to the bus (the deltas of one event-loop
// turn coalesced into one event), offers its partial content to the service's batched saves, and
// ends the message in exactly one final state.
export class GenerationRun {
  private readonly controller = new AbortController();
  private readonly reply = new ReplyAccumulator();
  // What has gone out on the bus: what a partial save may claim up to `seq`.
  private readonly sent = new ReplyAccumulator();
  private seq = 0;
  // The exchange is committed: the message row exists (until someone deletes it).
  written = false;
  private savedSeq = 0;
  // The text length the save at savedSeq wrote, while later saves may append to it (text only,
  // and that save known to have been applied); null: the next save writes the whole reply.
  private savedTextLength: number | null = 0;
  private readonly pending = new PendingEvents();
  private scheduled = false;
  // The latest bus append; the log keeps appends in call order, so it settles last.
  private lastWrite: Promise<void> = Promise.resolve();
  private provider: string;
  private model: string;
  // The system prompt as sent (with knowledge-base sources), for a usage estimate.
  private sentSystem: string | undefined;

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

  // Resolves with the final message, or null when something else ended it first (or the exchange
  // was never committed: then nothing was published and nothing is written).
  async execute(committed: Promise<boolean>): Promise<Message | null> {
    const started = performance.now();
    let timeToFirstTokenMs: number | null = null;
    let ended: { status: Exclude<MessageStatus, 'streaming'>; error: MessageError | null };
    // Without knowledge-base sources the prompt is ready: the vendor request goes out while the
    // exchange commits, and its first events wait for the commit.
    let events = this.job.knowledge ? undefined : this.open(this.job.system);
    const head = events ? untilFirstEvent(events) : undefined;
    head?.catch(() => undefined);
    if (!(await committed)) {
      this.abort('gone');
      return null;
    }
    this.written = true;
    try {
      events ??= this.open(await this.withSources(this.job.system));
      let done = false;
      const take = (e: RoutedEvent): boolean => {
        if (timeToFirstTokenMs === null && e.type !== 'route' && e.type !== 'usage' && e.type !== 'finish') {
          timeToFirstTokenMs = Math.round(performance.now() - started);
        }
        this.apply(e);
        if (this.reply.size <= this.deps.maxReplyChars) return false;
        this.reply.finishReason = 'length';
        this.abort('limit');
        return true;
      };
      for (const r of head ? await head : []) {
        if ((done = r.done === true || take(r.value))) break;
      }
      while (!done) {
        const r = await events.next();
        if (r.done) break;
        done = take(r.value);
      }
      if (done) await events.return?.(undefined);
      // An aborted SDK stream may simply end: the abort reason decides, not the clean end.
      ended = this.controller.signal.aborted ? this.classify(undefined) : { status: 'completed', error: null };
    } catch (err) {
      ended = this.classify(err);
    }
    await this.drain();
    return this.finish(ended.status, ended.error, timeToFirstTokenMs);
  }

  private open(system: string | undefined): AsyncIterator<RoutedEvent> {
    const { job } = this;
    this.sentSystem = system;
    return this.deps.providers.stream(
      job.userId,
      { provider: job.provider, model: job.model },
      { system, messages: job.messages, temperature: job.temperature, maxTokens: job.maxTokens, signal: this.controller.signal },
    );
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
    this.pending.push(event, data);
    // The first event goes out at once: it is the time to first token, and waiting for the end
    // of the turn (after every other I/O callback of it) coalesces nothing for it.
    if (this.seq === 0) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    this.deps.turn.add(this);
  }

  // Sends what this turn produced as one batch. Local followers get it at once; the bus write is
  // not awaited here (the log keeps call order), only before the final state.
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = this.pending.take().map((e) => this.stamp(e));
    for (const e of batch) this.sent.applyEvent(e);
    this.lastWrite = this.deps.bus.append(this.job.messageId, batch).catch((err: unknown) => {
      // Live readers miss these; the saved message still gets the full text.
      this.deps.logger.warn({ err, messageId: this.job.messageId }, 'Stream bus write failed');
    });
  }

  private stamp(e: PendingEvent): StreamEvent {
    const seq = ++this.seq;
    return { seq, event: e.event, data: { messageId: this.job.messageId, seq, ...e.data } };
  }

  private async drain(): Promise<void> {
    this.flush();
    await this.lastWrite;
  }

  // What a partial save would write now (null when nothing new went out since the last one).
  partial(): PartialReply | null {
    if (this.savedSeq === this.seq) return null;
    const { text, textOnly } = this.sent;
    const base = { id: this.job.messageId, seq: this.seq, textLength: text.length };
    if (textOnly && this.savedTextLength !== null) {
      return { ...base, baseSeq: this.savedSeq, text: text.slice(this.savedTextLength), contentParts: null };
    }
    return { ...base, baseSeq: null, text, contentParts: textOnly ? null : this.sent.parts() };
  }

  // The outcome of a partial save: the message's last seq after it (not `p.seq` when the row was
  // not at `p.baseSeq`), or null when the save failed (it may still have been applied).
  partialSaved(p: PartialReply, savedSeq: number | null): void {
    if (savedSeq === p.seq) {
      this.savedSeq = p.seq;
      this.savedTextLength = this.sent.textOnly ? p.textLength : null;
    } else {
      this.savedTextLength = null;
    }
  }

  private async finish(
    status: Exclude<MessageStatus, 'streaming'>,
    error: MessageError | null,
    timeToFirstTokenMs: number | null,
  ): Promise<Message | null> {
    // Without the vendor's count, a reply that said something gets an estimate (flagged); one that
    // said nothing keeps none (the vendor refused it, or it was stopped before it began).
    const estimated = this.reply.usage === null && this.reply.size > 0;
    const usage = estimated
      ? estimateUsage(this.sentSystem, this.job.messages, { output: this.reply.output, reasoning: this.reply.reasoning })
      : this.reply.usage;
    const state: FinalState = {
      status,
      contentParts: this.reply.parts(),
      content: this.reply.text,
      provider: this.provider,
      model: this.model,
      inputTokens: usage?.inputTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      usageEstimated: estimated,
      timeToFirstTokenMs,
      finishReason: status === 'completed' ? (this.reply.finishReason ?? 'stop') : status === 'error' ? 'error' : status,
      error,
      lastSeq: this.seq + 1,
    };
    const message = await this.deps.messages.finish(this.job.messageId, state);
    if (!message) {
      await this.endAsSaved();
    } else {
      const final = await savedFinalEvent(this.deps.messages, message);
      await this.deps.bus.append(this.job.messageId, [final]).catch((err: unknown) => {
        this.deps.logger.warn({ err, messageId: this.job.messageId }, 'Could not publish the final event');
      });
    }
    return message;
  }

  // Someone else ended this reply: it was deleted (with its session), or another instance
  // stopped or swept it, thinking this run gone. That one's final event went to the shared log,
  // which this instance's local followers do not read: they get the saved end from here (or an
  // error for a deleted reply).
  private async endAsSaved(): Promise<void> {
    const { messageId } = this.job;
    try {
      const [row] = await this.deps.messages.branchTo(messageId, 1);
      const seq = this.seq + 1;
      const final: StreamEvent = row
        ? await savedFinalEvent(this.deps.messages, row)
        : { seq, event: 'message.error', data: { messageId, seq, error: DELETED_ERROR } };
      // The shared log may refuse it (it holds that seq already): its readers have the end.
      await this.deps.bus.append(messageId, [final]).catch(() => undefined);
    } catch (err) {
      this.deps.logger.warn({ err, messageId }, 'Could not end the stream of a reply ended elsewhere');
    }
  }
}

// Pulls a provider stream up to its first event past the route announcements: far enough that
// the vendor request is in flight.
async function untilFirstEvent(events: AsyncIterator<RoutedEvent>): Promise<IteratorResult<RoutedEvent>[]> {
  const results: IteratorResult<RoutedEvent>[] = [];
  for (;;) {
    const r = await events.next();
    results.push(r);
    if (r.done || r.value.type !== 'route') return results;
  }
}
