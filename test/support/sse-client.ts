import http from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface SseConnection {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  // Comment lines seen (heartbeats).
  comments(): number;
  // Resolves when the server ends the stream (or the connection drops).
  ended: Promise<void>;
  // Resolves once `count` events have arrived (or rejects after timeoutMs).
  waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

// A minimal SSE client over node:http, parsing events as the EventSource spec does.
export function openSse(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: {
        accept: 'text/event-stream',
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const events: SseEvent[] = [];
      let comments = 0;
      const listeners = new Set<() => void>();
      let buffer = '';
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let index: number;
        while ((index = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const event: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              comments++;
              continue;
            }
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') event.id = value;
            else if (field === 'event') event.event = value;
            else if (field === 'data') event.dataLines.push(value);
          }
          if (event.dataLines.length === 0) continue;
          const raw = event.dataLines.join('\n');
          let data: unknown = raw;
          try {
            data = JSON.parse(raw);
          } catch {
            // not JSON: keep the text
          }
          events.push({ id: event.id, event: event.event ?? 'message', data });
          listeners.forEach((l) => l());
        }
      });
      const finish = () => {
        endedResolve();
        listeners.forEach((l) => l());
      };
      res.on('end', finish);
      res.on('close', finish);
      let done = false;
      ended.then(() => (done = true)).catch(() => undefined);
      if ((res.statusCode ?? 0) >= 300) {
        let text = '';
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          events.push({ event: 'http-error', data: text ? JSON.parse(text) : null });
        });
      }
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments: () => comments,
        ended,
        close: () => req.destroy(),
        waitFor: (predicate, timeoutMs = 10_000) =>
          new Promise((ok, fail) => {
            const check = () => {
              if (predicate(events)) {
                listeners.delete(check);
                clearTimeout(timer);
                ok(events);
              } else if (done) {
                listeners.delete(check);
                clearTimeout(timer);
                fail(new Error(`stream ended before the condition held; events: ${JSON.stringify(events.map((e) => e.event))}`));
              }
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`timed out; events: ${JSON.stringify(events.map((e) => e.event))}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          }),
      });
    });
    if (body) req.write(body);
    req.end();
  });
}

export const isFinal = (e: SseEvent) => e.event === 'message.completed' || e.event === 'message.error';
