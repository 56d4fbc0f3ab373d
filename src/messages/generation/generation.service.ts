import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AppError, CommonErrorCode, retryAfter } from '../../common/errors/domain-error.js';
import { KnowledgeRetrievalService } from '../../knowledge-base/knowledge-retrieval.service.js';
import { ProvidersService } from '../../providers/providers.service.js';
import { PubSub, type Unsubscribe } from '../../state/pub-sub.js';
import { StreamBus } from '../../streaming/stream-bus.js';
import { isFinalEvent } from '../../streaming/stream-event.js';
import { TurnBatch } from '../../streaming/turn-batch.js';
import type { Message, MessageError, MessageStatus } from '../entities/message.entity.js';
import { STOP_CHANNEL } from '../../streaming/channels.js';
import { MessagesError, MessagesErrorCode } from '../messages.errors.js';
import { MessagesRepository } from '../messages.repository.js';
import { savedFinalEvent } from './final-event.js';
import type { GenerationJob } from './generation-job.js';
import { GenerationRun, INTERRUPTED_ERROR } from './generation-run.js';
import { ReplyAccumulator } from './reply-accumulator.js';
import { TitleService } from './title.service.js';

const SWEEP_BATCH = 100;
const SHUTDOWN_GRACE_MS = 5_000;

// Runs replies detached from any request, one GenerationRun each, and keeps the promise that
// nothing stays `streaming` forever: heartbeats for local runs, a sweep for dead instances' ones.
@Injectable()
export class GenerationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GenerationService.name);
  private readonly runs = new Map<string, { run: GenerationRun; done: Promise<unknown> }>();
  // Replies running here per user who asked for them: one account cannot take the whole instance.
  private readonly activePerUser = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribeStop?: Unsubscribe;
  private saving = false;
  private readonly turn = new TurnBatch<GenerationRun>((err) => this.logger.error({ err }, 'Flushing reply events failed'));

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ProvidersService) private readonly providers: ProvidersService,
    @Inject(MessagesRepository) private readonly messages: MessagesRepository,
    @Inject(StreamBus) private readonly bus: StreamBus,
    @Inject(PubSub) private readonly pubsub: PubSub,
    @Inject(TitleService) private readonly titles: TitleService,
    @Inject(KnowledgeRetrievalService) private readonly knowledge: KnowledgeRetrievalService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribeStop = await this.pubsub.subscribe(STOP_CHANNEL, (id) => this.runs.get(id)?.run.abort('stop'));
    const { heartbeatIntervalMs, staleAfterMs } = this.config.generation;
    // Embedded mode has one process per data dir: whatever is still streaming at boot died with
    // the previous process. With a shared database, only replies whose heartbeat stopped.
    await this.sweep(this.config.embeddedDatabase ? 0 : staleAfterMs);
    this.timers = [
      setInterval(() => void this.beat(), heartbeatIntervalMs),
      setInterval(() => void this.savePartials(), this.config.generation.flushIntervalMs),
      setInterval(() => void this.sweep(staleAfterMs), heartbeatIntervalMs),
    ];
    for (const t of this.timers) t.unref();
  }

  // Local runs end as `interrupted` before the database closes; clients see the final event.
  async onModuleDestroy(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.unsubscribeStop?.();
    const pending = [...this.runs.values()];
    for (const { run } of pending) run.abort('shutdown');
    await Promise.race([
      Promise.allSettled(pending.map((p) => p.done)),
      new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref()),
    ]);
  }

  assertCapacity(userId: string): void {
    if (this.runs.size >= this.config.generation.maxActive) {
      throw new AppError(CommonErrorCode.Unavailable, 'This server is generating too many replies; retry shortly', retryAfter(2));
    }
    const limit = this.config.generation.maxActivePerUser;
    if ((this.activePerUser.get(userId) ?? 0) >= limit) {
      throw new MessagesError(
        MessagesErrorCode.TooManyReplies,
        `You have ${limit} replies being generated; wait for one to finish or stop one`,
        retryAfter(2),
      );
    }
  }

  // `committed` settles when the exchange's transaction does: true once the messages exist. The
  // vendor request may start before; a reply whose exchange was not written ends silently.
  start(job: GenerationJob, committed: Promise<boolean> = Promise.resolve(true)): void {
    const run = new GenerationRun(job, {
      providers: this.providers,
      knowledge: this.knowledge,
      messages: this.messages,
      bus: this.bus,
      turn: this.turn,
      logger: this.logger,
      maxReplyChars: this.config.generation.maxReplyChars,
    });
    this.bus.openLocal(job.messageId);
    this.activePerUser.set(job.userId, (this.activePerUser.get(job.userId) ?? 0) + 1);
    // The reply's place is given back when it ends; its title (after a first exchange) follows
    // in the background without holding it.
    const done = run
      .execute(committed.catch(() => false))
      .catch((err: unknown) => {
        this.logger.error({ err, messageId: job.messageId }, 'Generation crashed');
        return null;
      })
      .finally(() => {
        const active = (this.activePerUser.get(job.userId) ?? 1) - 1;
        if (active > 0) this.activePerUser.set(job.userId, active);
        else this.activePerUser.delete(job.userId);
        this.runs.delete(job.messageId);
        this.bus.closeLocal(job.messageId);
      });
    void done
      .then((message) => (message?.status === 'completed' && job.titleAfter ? this.titles.generate(job, message.content) : undefined))
      .catch((err: unknown) => this.logger.error({ err, messageId: job.messageId }, 'Title generation failed'));
    this.runs.set(job.messageId, { run, done });
  }

  // Asks whichever instance runs the reply to stop it; true when it ended within the wait. A reply
  // nobody answers for (its instance is gone) is then ended here.
  async stop(message: Message, waitMs = 3_000): Promise<void> {
    const ended = this.waitForEnd(message, waitMs);
    const local = this.runs.get(message.id);
    if (local) local.run.abort('stop');
    else await this.pubsub.publish(STOP_CHANNEL, message.id);
    if (!(await ended)) await this.forceFinish(message, 'cancelled', null);
  }

  // Resolves true when the reply's final event appears on the bus within the wait.
  private async waitForEnd(message: Message, waitMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        follower.then((f) => f.close()).catch(() => undefined);
        resolve(false);
      }, waitMs);
      const follower = this.bus.follow(message.id, message.lastSeq, (e) => {
        if (!isFinalEvent(e)) return;
        clearTimeout(timer);
        resolve(true);
      });
      follower.catch(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  // Ends a reply from outside its run: the saved partial plus whatever reached the bus since.
  async forceFinish(message: Message, status: Exclude<MessageStatus, 'streaming'>, error: MessageError | null): Promise<void> {
    const tail = await this.bus.range(message.id, message.lastSeq).catch(() => []);
    if (tail.some(isFinalEvent)) return;
    const reply = ReplyAccumulator.from(message.contentParts);
    for (const e of tail) reply.applyEvent(e);
    const seq = (tail[tail.length - 1]?.seq ?? message.lastSeq) + 1;
    const finished = await this.messages.finish(message.id, {
      status,
      contentParts: reply.parts(),
      content: reply.text,
      provider: message.provider,
      model: message.model,
      inputTokens: null,
      outputTokens: null,
      reasoningTokens: null,
      usageEstimated: false,
      timeToFirstTokenMs: null,
      finishReason: status,
      error,
      lastSeq: seq,
    });
    if (!finished) return;
    await this.bus.append(finished.id, [await savedFinalEvent(this.messages, finished)]);
  }

  // Partial text of every local reply in one statement per interval, not one per reply: a
  // thousand streams cost one write a second. A long save delays the next (no pile-up).
  private async savePartials(): Promise<void> {
    if (this.saving) return;
    const partials = [...this.runs.values()].map(({ run }) => run.partial()).filter((p) => p !== null);
    if (partials.length === 0) return;
    this.saving = true;
    try {
      const saved = await this.messages.savePartials(partials);
      for (const p of partials) {
        const run = this.runs.get(p.id)?.run;
        const seq = saved.get(p.id);
        // Deleted, or ended by a stop from an instance that could not reach this one.
        if (seq === undefined) run?.abort('gone');
        else run?.partialSaved(p, seq);
      }
    } catch (err) {
      for (const p of partials) this.runs.get(p.id)?.run.partialSaved(p, null);
      this.logger.warn({ err }, 'Could not save partial replies');
    } finally {
      this.saving = false;
    }
  }

  // A run whose row is no longer streaming (deleted with its session, or ended from another
  // instance that thought this one gone) stops, even if it has nothing new to save.
  private async beat(): Promise<void> {
    try {
      const written = [...this.runs.values()].filter(({ run }) => run.written).map(({ run }) => run.job.messageId);
      const streaming = await this.messages.heartbeat(written);
      for (const id of written) if (!streaming.has(id)) this.runs.get(id)?.run.abort('gone');
    } catch (err) {
      this.logger.warn({ err }, 'Heartbeat failed');
    }
  }

  private async sweep(staleMs: number): Promise<void> {
    try {
      for (const message of await this.messages.findStale(staleMs, SWEEP_BATCH)) {
        if (this.runs.has(message.id)) continue;
        await this.forceFinish(message, 'interrupted', INTERRUPTED_ERROR);
      }
    } catch (err) {
      this.logger.warn({ err }, 'Sweep for interrupted replies failed');
    }
  }
}
