import type { Redis } from 'ioredis';
import { streamChannel } from './channels.js';
import { isFinalEvent, type StreamEvent } from './stream-event.js';
import { StreamLog } from './stream-log.js';

// Unfinished streams expire too, in case the generating instance died before retaining them.
const OPEN_STREAM_TTL_SECONDS = 24 * 3600;

interface Pending {
  events: StreamEvent[];
  done: Promise<void>;
  settle(err?: Error): void;
}

// A Redis Stream per message with one entry per batch: its id is `${the batch's last seq}-0`
// and its field `b` the batch as JSON, the same text that is published live (serialized once).
// A resume is one XRANGE from the first seq wanted (it returns every batch ending at or after
// it), filtered by seq. Entries of the older one-event format (field `e`) are still read.
//
// Appends gather for `writeMs` (0: until the end of the event-loop turn), from every stream, and
// go out together as one pipeline, a stream's batches merged into one entry: one socket write
// for a thousand streams instead of one each, and a few commands per stream per interval
// instead of two per token (at 50 tokens/s, 50 ms makes 2.5 times fewer). Followers in this
// process read from memory and are not delayed by this; followers on other instances get a
// batch at most `writeMs` later.
export class RedisStreamLog extends StreamLog {
  // Streams' events waiting for the interval, and those of streams that just ended.
  private pending = new Map<string, Pending>();
  private ending = new Map<string, Pending>();

  constructor(
    private readonly redis: Redis,
    // Prefix of pub/sub channel names (the subscriber connection has no key prefix).
    private readonly channelPrefix: string,
    private readonly writeMs = 0,
  ) {
    super();
  }

  append(streamId: string, events: StreamEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    let pending = this.pending.get(streamId);
    if (!pending) {
      if (this.pending.size === 0) {
        if (this.writeMs > 0) setTimeout(() => this.flush('pending'), this.writeMs);
        else setImmediate(() => this.flush('pending'));
      }
      pending = newPending();
      this.pending.set(streamId, pending);
    }
    for (const e of events) pending.events.push(e);
    if (isFinalEvent(events[events.length - 1])) {
      // A stream's end goes out at the end of this turn, with what it had gathered: whoever
      // waits for it (the reply's slot, followers elsewhere) does not wait for the interval.
      this.pending.delete(streamId);
      if (this.ending.size === 0) setImmediate(() => this.flush('ending'));
      this.ending.set(streamId, pending);
    }
    return pending.done;
  }

  async range(streamId: string, afterSeq: number): Promise<StreamEvent[]> {
    const entries = await this.redis.xrange(streamKey(streamId), `${afterSeq + 1}-0`, '+');
    const out: StreamEvent[] = [];
    for (const [id, fields] of entries) {
      if (fields[0] === 'b') {
        for (const e of JSON.parse(fields[1]) as StreamEvent[]) if (e.seq > afterSeq) out.push(e);
      } else {
        const [event, data] = JSON.parse(fields[1]) as [StreamEvent['event'], StreamEvent['data']];
        out.push({ seq: Number(id.slice(0, id.indexOf('-'))), event, data });
      }
    }
    return out;
  }

  async retain(streamId: string, ttlMs: number): Promise<void> {
    await this.redis.pexpire(streamKey(streamId), ttlMs);
  }

  private flush(which: 'pending' | 'ending'): void {
    const batch = this[which];
    this[which] = new Map();
    if (batch.size === 0) return;
    try {
      this.write(batch);
    } catch (err) {
      // Runs in a timer: nothing may escape, every append hears of the failure instead.
      const error = err instanceof Error ? err : new Error('Stream log write failed');
      for (const pending of batch.values()) pending.settle(error);
    }
  }

  private write(batch: Map<string, Pending>): void {
    const pipeline = this.redis.pipeline();
    const commands: number[] = [];
    for (const [streamId, { events }] of batch) {
      const key = streamKey(streamId);
      const payload = JSON.stringify(events);
      // The log write is queued before the live message, on the same connection.
      pipeline.xadd(key, `${events[events.length - 1].seq}-0`, 'b', payload);
      const opens = events[0].seq === 1;
      if (opens) pipeline.expire(key, OPEN_STREAM_TTL_SECONDS);
      pipeline.publish(this.channelPrefix + streamChannel(streamId), payload);
      commands.push(opens ? 3 : 2);
    }
    pipeline.exec().then(
      (results) => {
        let at = 0;
        let i = 0;
        for (const pending of batch.values()) {
          const n = commands[i++];
          const failed = results?.slice(at, at + n).find(([err]) => err);
          at += n;
          pending.settle(failed?.[0] ?? undefined);
        }
      },
      (err: unknown) => {
        const error = err instanceof Error ? err : new Error('Redis pipeline failed');
        for (const pending of batch.values()) pending.settle(error);
      },
    );
  }
}

function newPending(): Pending {
  let settle!: (err?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  return { events: [], done, settle };
}

function streamKey(streamId: string): string {
  return `stream:${streamId}`;
}
