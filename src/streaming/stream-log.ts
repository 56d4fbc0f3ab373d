import type { StreamEvent } from './stream-event.js';

// The replayable part of the bus: every event of a stream, readable by sequence number. An append
// also publishes the batch live on the stream's channel, after the log write, so a reader that
// sees a live batch finds everything before it in the log.
export abstract class StreamLog {
  // Batches of one stream are appended in seq order; callers need not wait for one to resolve
  // before the next (writes go out in call order).
  abstract append(streamId: string, events: StreamEvent[]): Promise<void>;
  // Events with seq > afterSeq, in order.
  abstract range(streamId: string, afterSeq: number): Promise<StreamEvent[]>;
  // A finished stream stays readable this long for late resumers, then goes.
  abstract retain(streamId: string, ttlMs: number): Promise<void>;
}
