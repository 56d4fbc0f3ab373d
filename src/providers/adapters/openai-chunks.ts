import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { nodeBodyOf } from '../http-fetch.js';
import { sseEvents } from './sse-events.js';

// The chunks of a chat completions stream, decoded from the response the SDK returned, by the
// SDK's own rules: `[DONE]` ends the stream; an `error` event, or a chunk with an `error` field,
// is the vendor's APIError. The SDK's decoder (`for await` over its Stream) wraps every token in
// five async layers, each with its promises, a Promise.race and an abort listener; here a token
// costs one read of the Node stream the body came in (nodeBodyOf).
export async function* chatCompletionChunks(response: Response): AsyncGenerator<ChatCompletionChunk> {
  const node = nodeBodyOf(response);
  if (!node && !response.body) throw new APIError(undefined, undefined, 'The streaming response has no body', response.headers);
  let done = false;
  for await (const events of sseEvents(node ?? response.body!)) {
    for (const event of events) {
      if (done) continue;
      if (event.data === '[DONE]') {
        done = true;
        continue;
      }
      let data: { error?: unknown } | null;
      try {
        data = JSON.parse(event.data) as { error?: unknown } | null;
      } catch {
        throw new SyntaxError('Error reading response: malformed server-sent event JSON.');
      }
      if (event.event === 'error') throw new APIError(undefined, data?.error ?? data ?? undefined, undefined, response.headers);
      if (data?.error) throw new APIError(undefined, data.error, undefined, response.headers);
      yield data as ChatCompletionChunk;
    }
    // After [DONE], what has already arrived is still read, so that the connection can be reused
    // for the next request; a server still sending is cut off.
    if (done && !node?.complete) return;
  }
}
