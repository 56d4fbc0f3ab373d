import { Inject, Injectable, Logger } from '@nestjs/common';
import { PubSub } from '../state/pub-sub.js';
import { streamChannel } from './channels.js';
import { isFinalEvent, type StreamEvent } from './stream-event.js';
import { StreamLog } from './stream-log.js';

export interface StreamFollower {
  close(): void;
}

// How long a finished stream stays replayable from the bus (then the database answers).
export const FINISHED_STREAM_RETENTION_MS = 10 * 60_000;

// Events of a local stream kept in memory for followers that join late (the sender's own stream,
// a quick resume). Older ones are read from the log: keeping every event of a thousand long
// replies made each young-generation collection copy them all, stalling every stream.
export const LOCAL_REPLAY_EVENTS = 64;

interface LocalStream {
  events: StreamEvent[];
  followers: Set<LocalFollower>;
}

interface LocalFollower {
  deliver(events: StreamEvent[]): void;
  // The stream stopped being produced here before its end: continue from the shared bus.
  detach(): void;
}

// Events of generated messages: appended to a replayable log and published live. Readers follow a
// stream from any seq on any instance, and get every later event once, in order. Streams produced
// by this process also keep their events in memory, so followers here (the common case: the
// client that sent the message) get them without a round trip to Redis.
@Injectable()
export class StreamBus {
  private readonly logger = new Logger(StreamBus.name);
  private readonly local = new Map<string, LocalStream>();

  constructor(
    @Inject(StreamLog) private readonly log: StreamLog,
    @Inject(PubSub) private readonly pubsub: PubSub,
  ) {}

  // The producer of a stream announces it before its first append, and closes it when done.
  openLocal(streamId: string): void {
    this.local.set(streamId, { events: [], followers: new Set() });
  }

  closeLocal(streamId: string): void {
    const stream = this.local.get(streamId);
    if (!stream) return;
    this.local.delete(streamId);
    for (const follower of stream.followers) follower.detach();
  }

  // Batches of a stream are appended in seq order; a caller need not wait for one append to
  // resolve before the next (local followers get them at once, the log keeps call order).
  async append(streamId: string, events: StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    const final = isFinalEvent(events[events.length - 1]);
    const stream = this.local.get(streamId);
    if (stream) {
      stream.events.push(...events);
      if (stream.events.length > 2 * LOCAL_REPLAY_EVENTS) stream.events = stream.events.slice(-LOCAL_REPLAY_EVENTS);
      for (const follower of stream.followers) follower.deliver(events);
      if (final) this.local.delete(streamId);
    }
    // The log publishes the batch live after writing it.
    await this.log.append(streamId, events);
    if (final) await this.log.retain(streamId, FINISHED_STREAM_RETENTION_MS);
  }

  range(streamId: string, afterSeq: number): Promise<StreamEvent[]> {
    return this.log.range(streamId, afterSeq);
  }

  // Replays events after `afterSeq`, then delivers live ones, until the final event or close().
  async follow(streamId: string, afterSeq: number, listener: (event: StreamEvent) => void): Promise<StreamFollower> {
    const stream = this.local.get(streamId);
    const replayable = stream && (stream.events.length === 0 || stream.events[0].seq <= afterSeq + 1);
    return replayable ? this.followLocal(streamId, stream, afterSeq, listener) : this.followShared(streamId, afterSeq, listener);
  }

  private followLocal(streamId: string, stream: LocalStream, afterSeq: number, listener: (event: StreamEvent) => void): StreamFollower {
    let last = afterSeq;
    let closed = false;
    let shared: Promise<StreamFollower> | undefined;
    const follower: LocalFollower = {
      deliver: (events) => {
        for (const e of events) {
          if (closed || !isNew(e, last)) continue;
          last = Math.max(last, e.seq);
          listener(e);
          if (isFinalEvent(e)) close();
        }
      },
      detach: () => {
        if (closed) return;
        shared = this.followShared(streamId, last, listener);
        shared.catch((err: unknown) => this.logger.warn({ err, streamId }, 'Could not follow a stream'));
      },
    };
    const close = () => {
      closed = true;
      stream.followers.delete(follower);
      shared?.then((f) => f.close()).catch(() => undefined);
    };
    follower.deliver(stream.events);
    if (!closed) stream.followers.add(follower);
    return { close };
  }

  private async followShared(streamId: string, afterSeq: number, listener: (event: StreamEvent) => void): Promise<StreamFollower> {
    let last = afterSeq;
    let closed = false;
    let replayed = false;
    const held: StreamEvent[][] = [];
    let chain = Promise.resolve();
    const subscription: { unsubscribe?: () => Promise<void> } = {};

    const close = () => {
      if (closed) return;
      closed = true;
      subscription.unsubscribe?.().catch((err: unknown) => this.logger.warn({ err }, 'Could not unsubscribe from a stream'));
    };
    const deliver = async (events: StreamEvent[]) => {
      for (const event of events) {
        if (closed || !isNew(event, last)) continue;
        // A live batch ahead of what we have (lost or overtaken message): fill the gap from the log.
        if (event.seq > last + 1) await deliver(await this.log.range(streamId, last));
        if (closed || !isNew(event, last)) continue;
        last = Math.max(last, event.seq);
        listener(event);
        if (isFinalEvent(event)) close();
      }
    };
    const enqueue = (events: StreamEvent[]) => {
      chain = chain
        .then(() => deliver(events))
        .catch((err: unknown) => {
          this.logger.warn({ err, streamId }, 'Stream delivery failed');
          close();
        });
    };

    // Subscribe before reading the log, so nothing published in between is missed.
    subscription.unsubscribe = await this.pubsub.subscribe(streamChannel(streamId), (message) => {
      const events = JSON.parse(message) as StreamEvent[];
      if (replayed) enqueue(events);
      else held.push(events);
    });
    enqueue(await this.log.range(streamId, afterSeq));
    replayed = true;
    for (const events of held.splice(0)) enqueue(events);
    await chain;
    return { close };
  }
}

// Events past what the reader has, and the final event whatever its seq: a reader resuming past
// the end (a made-up Last-Event-ID) or one that saw a delta the final event overtook (the reply
// was ended from another instance while its own still wrote) still ends.
function isNew(event: StreamEvent, last: number): boolean {
  return event.seq > last || isFinalEvent(event);
}
