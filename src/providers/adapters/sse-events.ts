import { createParser, type EventSourceMessage } from 'eventsource-parser';

// The server-sent events of a streaming body, decoded by eventsource-parser: the events of each
// network read at once (usually one). A consumer that stops iterating stops the body too.
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventSourceMessage[]> {
  let pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => pending.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (pending.length === 0) continue;
    const events = pending;
    pending = [];
    yield events;
  }
  parser.feed(decoder.decode());
  // A last event the server did not close with a blank line.
  parser.feed('\n\n');
  if (pending.length) yield pending;
}
