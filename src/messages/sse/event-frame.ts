import { encodedOnce } from '../../streaming/encoded-once.js';

// The Server-Sent Events text of a reply event (`id:` is its seq, so Last-Event-ID resumes exactly).
export const sseEventFrame = encodedOnce((e) => sseText(e.event, e.data, e.seq));

export function sseText(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
