import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { parseChunkEvent } from './chunk-event.js';

// Chunks queued before the response is paused (the reader is behind), and resumed below.
const HIGH_WATER = 256;
const LOW_WATER = 64;

// The chunks of a chat completions stream read from the Node stream its body came in, pushed by
// its 'data' events: a token costs one event and one settled promise, where the Readable's async
// iterator and two generator layers on top cost a read(), a 'readable' tick and three promises.
// Same contract as chatCompletionChunks: `[DONE]` ends it (what already arrived is still read,
// so the connection can be reused; a server still sending is cut off), an error event is the
// vendor's APIError after the chunks before it, a reader that stops early cuts the connection,
// and a cut connection or an abort fails the read with the stream's own error.
export class NodeChunkStream implements AsyncIterableIterator<ChatCompletionChunk> {
  private readonly queue: ChatCompletionChunk[] = [];
  private readonly decoder = new TextDecoder();
  private readonly parser = createParser({ onEvent: (event) => this.onEvent(event) });
  private failure: unknown;
  private failed = false;
  private ended = false;
  private sawDone = false;
  private waiter?: { resolve: (r: IteratorResult<ChatCompletionChunk>) => void; reject: (err: unknown) => void };

  constructor(
    private readonly res: IncomingMessage,
    private readonly headers: Headers,
  ) {
    res.on('data', (data: Buffer) => this.onData(data));
    finished(res, { writable: false }, (err) => {
      if (err) return this.fail(err);
      this.parser.feed(this.decoder.decode());
      // A last event the server did not close with a blank line.
      this.parser.feed('\n\n');
      this.ended = true;
      this.wake();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChatCompletionChunk>> {
    if (this.queue.length === 0 && !this.failed && !this.ended) {
      return new Promise((resolve, reject) => {
        this.waiter = { resolve, reject };
      });
    }
    try {
      return Promise.resolve(this.take());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  // The reader stopped early (break, or an error of its own): the rest is not wanted.
  return(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  private onData(data: Buffer): void {
    if (this.ended || this.failed) return;
    this.parser.feed(this.decoder.decode(data, { stream: true }));
    // 'data' comes from inside the HTTP parser, before it marks the response complete when the
    // same read also ends it: decide once that read is parsed.
    if (this.sawDone) queueMicrotask(() => this.res.complete || this.stop());
    else if (this.queue.length >= HIGH_WATER) this.res.pause();
    this.wake();
  }

  private onEvent(event: EventSourceMessage): void {
    if (this.sawDone || this.failed) return;
    if (event.data === '[DONE]') {
      this.sawDone = true;
      return;
    }
    try {
      this.queue.push(parseChunkEvent(event, this.headers));
    } catch (err) {
      this.fail(err);
      this.res.destroy();
    }
  }

  private fail(err: unknown): void {
    if (this.ended || this.failed) return;
    this.failed = true;
    this.failure = err;
    this.wake();
  }

  private stop(): void {
    if (!this.ended && !this.failed) this.ended = true;
    this.res.destroy();
    this.wake();
  }

  // The next result when there is one: a chunk, then the failure (once), then the end.
  private take(): IteratorResult<ChatCompletionChunk> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      if (this.res.isPaused() && this.queue.length <= LOW_WATER) this.res.resume();
      return { value, done: false };
    }
    if (this.failed) {
      this.failed = false;
      this.ended = true;
      throw this.failure;
    }
    return { value: undefined, done: true };
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter || (this.queue.length === 0 && !this.failed && !this.ended)) return;
    this.waiter = undefined;
    try {
      waiter.resolve(this.take());
    } catch (err) {
      waiter.reject(err);
    }
  }
}
