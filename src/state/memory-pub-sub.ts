import { PubSub, type Unsubscribe } from './pub-sub.js';

export class MemoryPubSub extends PubSub {
  private readonly channels = new Map<string, Set<(message: string) => void>>();

  publish(channel: string, message: string): Promise<void> {
    const handlers = this.channels.get(channel);
    // Delivered asynchronously, like Redis, so publishers never run subscriber code inline.
    if (handlers) queueMicrotask(() => handlers.forEach((h) => h(message)));
    return Promise.resolve();
  }

  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    return Promise.resolve(() => {
      handlers.delete(handler);
      if (handlers.size === 0) this.channels.delete(channel);
      return Promise.resolve();
    });
  }
}
