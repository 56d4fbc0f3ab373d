import { Inject, Injectable, Logger } from '@nestjs/common';
import { PubSub } from '../state/pub-sub.js';
import { isFinalEvent, type StreamEvent } from './stream-event.js';
import { StreamLog } from './stream-log.js';

export interface StreamFollower {
  close(): void;
}

// How long a finished stream stays replayable from the bus (then the database answers).
export const FINISHED_STREAM_RETENTION_MS = 10 * 60_000;

// Events of generated messages: appended to a replayable log and published live. Readers follow a
// stream from any seq on any instance, and get every later event once, in order.
@Injectable()
export class StreamBus {
  private readonly logger = new Logger(StreamBus.name);

  constructor(
    @Inject(StreamLog) private readonly log: StreamLog,
    @Inject(PubSub) private readonly pubsub: PubSub,
  ) {}

  // Callers append a stream's batches one after another (the engine chains them).
  async append(streamId: string, events: StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Both go out on the same connection: the log write lands before the live message.
    await Promise.all([this.log.append(streamId, events), this.pubsub.publish(channel(streamId), JSON.stringify(events))]);
    if (isFinalEvent(events[events.length - 1])) await this.log.retain(streamId, FINISHED_STREAM_RETENTION_MS);
  }

  range(streamId: string, afterSeq: number): Promise<StreamEvent[]> {
    return this.log.range(streamId, afterSeq);
  }

  // Replays events after `afterSeq`, then delivers live ones, until the final event or close().
  async follow(streamId: string, afterSeq: number, listener: (event: StreamEvent) => void): Promise<StreamFollower> {
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
        if (closed || event.seq <= last) continue;
        // A live batch ahead of what we have (lost or overtaken message): fill the gap from the log.
        if (event.seq > last + 1) await deliver(await this.log.range(streamId, last));
        if (closed || event.seq <= last) continue;
        last = event.seq;
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
    subscription.unsubscribe = await this.pubsub.subscribe(channel(streamId), (message) => {
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

function channel(streamId: string): string {
  return `stream:${streamId}`;
}
