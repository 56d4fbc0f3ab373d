import type { FastifyReply } from 'fastify';
import { sseText } from './event-frame.js';

export interface SseOptions {
  heartbeatMs: number;
  // A client this far behind is cut off; it resumes with Last-Event-ID when it catches up.
  maxBufferedBytes: number;
}

// A Server-Sent Events response on Fastify's raw reply, with heartbeat comments so proxies keep
// idle streams open.
export class SseStream {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly reply: FastifyReply,
    private readonly options: SseOptions,
  ) {
    reply.hijack();
    const raw = reply.raw;
    // The head, the opening comment and whatever is sent in this same tick (the first events)
    // leave in one write.
    raw.cork();
    process.nextTick(() => raw.uncork());
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(': stream open\n\n');
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), options.heartbeatMs);
    raw.on('close', () => this.end());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  send(event: string, data: unknown, id?: number): void {
    this.write(sseText(event, data, id));
  }

  // An already encoded event (shared by every follower of a stream).
  sendEncoded(frame: Buffer): void {
    this.write(frame);
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
    for (const handler of this.closeHandlers.splice(0)) handler();
  }

  private write(chunk: string | Buffer): void {
    if (this.closed) return;
    this.reply.raw.write(chunk);
    if (this.reply.raw.writableLength > this.options.maxBufferedBytes) this.end();
  }
}
