import type { StreamEvent } from '../streaming/stream-event.js';

const frames = new WeakMap<StreamEvent, Buffer>();

// The WebSocket text frame of a reply event, encoded once and shared by every socket that follows
// the stream (the bus hands each follower the same event object).
export function eventFrame(e: StreamEvent): Buffer {
  let frame = frames.get(e);
  if (!frame) {
    frame = Buffer.from(JSON.stringify({ type: e.event, ...e.data, seq: e.seq }));
    frames.set(e, frame);
  }
  return frame;
}
