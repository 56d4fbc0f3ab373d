import { WsAdapter } from '@nestjs/platform-ws';
import type { Observable } from 'rxjs';
import type { WebSocket } from 'ws';

// Nest's ws adapter, minus the per-socket RxJS pipelines it builds for @SubscribeMessage handlers
// and disconnect hooks: the gateway has neither (each connection handles its own frames), and
// those pipelines were a good part of an idle socket's memory.
export class ChatWsAdapter extends WsAdapter {
  override bindMessageHandlers(
    client: WebSocket,
    handlers: { message: unknown; callback: (...args: unknown[]) => unknown }[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (handlers.length > 0) super.bindMessageHandlers(client, handlers as never, transform);
  }

  override bindClientDisconnect(): void {
    // The gateway listens for `close` on each socket itself.
  }
}
