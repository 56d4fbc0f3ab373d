import type { StreamEvent } from './stream-event.js';

// A transport's encoding of reply events, computed once per event and shared by every follower
// of the stream (the bus hands each follower the same event object).
export function encodedOnce(encode: (e: StreamEvent) => string): (e: StreamEvent) => Buffer {
  const frames = new WeakMap<StreamEvent, Buffer>();
  return (e) => {
    let frame = frames.get(e);
    if (!frame) {
      frame = Buffer.from(encode(e));
      frames.set(e, frame);
    }
    return frame;
  };
}
