import { APIError } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { nodeBodyOf } from '../http-fetch.js';
import { parseChunkEvent } from './chunk-event.js';
import { NodeChunkStream } from './node-chunk-stream.js';
import { sseEvents } from './sse-events.js';

// The chunks of a chat completions stream, decoded from the response the SDK returned, by the
// SDK's own rules: `[DONE]` ends the stream; an `error` event, or a chunk with an `error` field,
// is the vendor's APIError. The SDK's decoder (`for await` over its Stream) wraps every token in
// five async layers, each with its promises, a Promise.race and an abort listener; here a body
// that came in as a Node stream (nodeBodyOf, the usual case) is read by its 'data' events
// (NodeChunkStream), and any other body through its web stream.
export function chatCompletionChunks(response: Response): AsyncIterable<ChatCompletionChunk> {
  const node = nodeBodyOf(response);
  if (node) return new NodeChunkStream(node, response.headers);
  if (!response.body) throw new APIError(undefined, undefined, 'The streaming response has no body', response.headers);
  return webChunks(response.body, response.headers);
}

async function* webChunks(body: ReadableStream<Uint8Array>, headers: Headers): AsyncGenerator<ChatCompletionChunk> {
  for await (const events of sseEvents(body)) {
    for (const event of events) {
      // What follows [DONE] is ignored, and the body cancelled.
      if (event.data === '[DONE]') return;
      yield parseChunkEvent(event, headers);
    }
  }
}
