import type { StreamEvent } from '../../streaming/stream-event.js';

const frames = new WeakMap<StreamEvent, Buffer>();

// The Server-Sent Events text of a reply event (`id:` is its seq, so Last-Event-ID resumes
// exactly), encoded once and shared by every response that follows the stream.
export function sseEventFrame(e: StreamEvent): Buffer {
  let frame = frames.get(e);
  if (!frame) {
    frame = Buffer.from(sseText(e.event, e.data, e.seq));
    frames.set(e, frame);
  }
  return frame;
}

export function sseText(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
