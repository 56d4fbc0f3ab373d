import type { StreamEvent } from './stream-event.js';

// The replayable part of the bus: every event of a stream, readable by sequence number.
export abstract class StreamLog {
  abstract append(streamId: string, events: StreamEvent[]): Promise<void>;
  // Events with seq > afterSeq, in order.
  abstract range(streamId: string, afterSeq: number): Promise<StreamEvent[]>;
  // A finished stream stays readable this long for late resumers, then goes.
  abstract retain(streamId: string, ttlMs: number): Promise<void>;
}
