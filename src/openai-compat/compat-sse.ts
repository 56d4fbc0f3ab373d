import type { FastifyReply } from 'fastify';

// OpenAI-style Server-Sent Events: bare `data:` lines, `data: [DONE]` at the end. Writes wait
// for the socket to drain, so a slow client slows the upstream read instead of filling memory.
export class CompatSse {
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly reply: FastifyReply,
    heartbeatMs: number,
  ) {
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Comments keep proxies from closing a stream while a model thinks; clients skip them.
    this.heartbeat = setInterval(() => void this.write(': ping\n\n'), heartbeatMs);
    reply.raw.on('close', () => this.end());
  }

  data(payload: unknown): Promise<void> {
    return this.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  async done(): Promise<void> {
    await this.write('data: [DONE]\n\n');
    this.end();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.reply.raw.writableEnded) this.reply.raw.end();
  }

  private async write(chunk: string): Promise<void> {
    const raw = this.reply.raw;
    if (this.closed || raw.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        raw.off('drain', done);
        raw.off('close', done);
        resolve();
      };
      raw.on('drain', done);
      raw.on('close', done);
    });
  }
}
