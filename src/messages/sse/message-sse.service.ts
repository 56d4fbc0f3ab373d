import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppConfig } from '../../config/app-config.js';
import { StreamBus } from '../../streaming/stream-bus.js';
import { isFinalEvent } from '../../streaming/stream-event.js';
import type { Message } from '../entities/message.entity.js';
import type { Exchange } from '../message-send.service.js';
import { MessageTreeService } from '../message-tree.service.js';
import { sseEventFrame } from './event-frame.js';
import { SseStream } from './sse-stream.js';

// Replies as Server-Sent Events: `id:` is the event's seq, so Last-Event-ID resumes exactly.
@Injectable()
export class MessageSseService {
  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(StreamBus) private readonly bus: StreamBus,
    @Inject(MessageTreeService) private readonly tree: MessageTreeService,
  ) {}

  open(reply: FastifyReply): SseStream {
    return new SseStream(reply, {
      heartbeatMs: this.config.streaming.heartbeatMs,
      maxBufferedBytes: this.config.streaming.maxBufferedBytes,
    });
  }

  // A new exchange: `message.created` with both messages, then the reply's events. A replayed
  // one (Idempotency-Key) whose reply has ended gets its final event from the database: the bus
  // keeps a finished stream only for a while.
  async exchange(reply: FastifyReply, exchange: Exchange, userId: string): Promise<void> {
    const sse = this.open(reply);
    sse.send('message.created', exchange);
    const { assistantMessage } = exchange;
    if (assistantMessage.status !== 'streaming') {
      const message = await this.tree.requireMessage(userId, assistantMessage.id).catch(() => null);
      return message ? this.endWithFinal(sse, message) : sse.end();
    }
    await this.follow(sse, assistantMessage.id, 0);
  }

  // A finished message ends the stream at once with its final event; a streaming one replays
  // what came after `afterSeq` and follows live.
  async resume(reply: FastifyReply, message: Message, afterSeq: number): Promise<void> {
    const sse = this.open(reply);
    if (message.status !== 'streaming') return this.endWithFinal(sse, message);
    await this.follow(sse, message.id, afterSeq);
  }

  private async endWithFinal(sse: SseStream, message: Message): Promise<void> {
    const final = await this.tree.finalEventFor(message);
    sse.send(final.event, final.data, final.seq);
    sse.end();
  }

  private async follow(sse: SseStream, messageId: string, afterSeq: number): Promise<void> {
    try {
      const follower = await this.bus.follow(messageId, afterSeq, (e) => {
        sse.sendEncoded(sseEventFrame(e));
        if (isFinalEvent(e)) sse.end();
      });
      sse.onClose(() => follower.close());
    } catch {
      // The bus is unreachable: end the stream; the client retries with Last-Event-ID.
      sse.end();
    }
  }
}
