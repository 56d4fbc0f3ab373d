import type { PubSub } from '../state/pub-sub.js';
import { streamChannel } from './channels.js';
import type { StreamEvent } from './stream-event.js';
import { StreamLog } from './stream-log.js';

interface Entry {
  events: StreamEvent[];
  timer?: NodeJS.Timeout;
}

export class MemoryStreamLog extends StreamLog {
  private readonly streams = new Map<string, Entry>();

  constructor(private readonly pubsub: PubSub) {
    super();
  }

  append(streamId: string, events: StreamEvent[]): Promise<void> {
    let entry = this.streams.get(streamId);
    if (!entry) this.streams.set(streamId, (entry = { events: [] }));
    entry.events.push(...events);
    return this.pubsub.publish(streamChannel(streamId), JSON.stringify(events));
  }

  range(streamId: string, afterSeq: number): Promise<StreamEvent[]> {
    const events = this.streams.get(streamId)?.events ?? [];
    // Seqs are dense from 1, so the index of seq n is n - 1.
    return Promise.resolve(events.slice(Math.max(0, afterSeq)));
  }

  retain(streamId: string, ttlMs: number): Promise<void> {
    const entry = this.streams.get(streamId);
    if (entry) {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => this.streams.delete(streamId), ttlMs).unref();
    }
    return Promise.resolve();
  }
}
