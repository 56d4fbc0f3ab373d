import { APIError } from 'openai';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

// One server-sent event of a chat completions stream (not `[DONE]`) as the SDK reads it: its JSON
// is the chunk; an `error` event, or a chunk with an `error` field, is the vendor's APIError.
export function parseChunkEvent(event: EventSourceMessage, headers: Headers): ChatCompletionChunk {
  let data: { error?: unknown } | null;
  try {
    data = JSON.parse(event.data) as { error?: unknown } | null;
  } catch {
    throw new SyntaxError('Error reading response: malformed server-sent event JSON.');
  }
  if (event.event === 'error') throw new APIError(undefined, data?.error ?? data ?? undefined, undefined, headers);
  if (data?.error) throw new APIError(undefined, data.error, undefined, headers);
  return data as ChatCompletionChunk;
}
