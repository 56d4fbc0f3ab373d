import WebSocket from 'ws';

export interface WsClient {
  socket: WebSocket;
  frames: any[];
  send(frame: Record<string, unknown>): void;
  waitFor(predicate: (frames: any[]) => boolean, timeoutMs?: number): Promise<any[]>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

// A WebSocket test client that records every frame the server sends.
export function connectWs(baseUrl: string, query = ''): Promise<WsClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
  const frames: any[] = [];
  const listeners = new Set<() => void>();
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      listeners.forEach((l) => l());
    });
  });
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  socket.on('message', (data) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8')));
    listeners.forEach((l) => l());
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        closed,
        send: (frame) => socket.send(JSON.stringify(frame)),
        close: () => socket.close(),
        waitFor: (predicate, timeoutMs = 10_000) =>
          new Promise((ok, fail) => {
            const check = () => {
              if (predicate(frames)) {
                listeners.delete(check);
                clearTimeout(timer);
                ok(frames);
              } else if (isClosed) {
                listeners.delete(check);
                clearTimeout(timer);
                fail(new Error(`socket closed first; frames: ${JSON.stringify(frames.map((f) => f.type))}`));
              }
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`timed out; frames: ${JSON.stringify(frames.map((f) => f.type))}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          }),
      }),
    );
  });
}

export const isFinalFrame = (f: any) => f.type === 'message.completed' || f.type === 'message.error';
export const deltaText = (frames: any[], messageId: string) =>
  frames.filter((f) => f.type === 'message.delta' && f.messageId === messageId).map((f) => f.delta as string).join('');
