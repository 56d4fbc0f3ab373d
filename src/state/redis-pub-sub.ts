import type { Redis } from 'ioredis';
import { PubSub, type Unsubscribe } from './pub-sub.js';

// One subscriber connection per process, fanned out to local handlers.
export class RedisPubSub extends PubSub {
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  // Per channel, the SUBSCRIBE that every handler of it waits for: a second subscriber must not
  // return (and read a log it then follows live) before the channel is really subscribed.
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    super();
    subscriber.on('message', (channel: string, message: string) => {
      this.handlers.get(channel)?.forEach((h) => h(message));
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.publisher.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    const name = this.prefix + channel;
    let set = this.handlers.get(name);
    if (!set) {
      this.handlers.set(name, (set = new Set()));
      this.subscribed.set(name, this.subscriber.subscribe(name));
    }
    set.add(handler);
    const handlers = set;
    const unsubscribe = async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.handlers.get(name) === handlers) {
        this.handlers.delete(name);
        this.subscribed.delete(name);
        await this.subscriber.unsubscribe(name);
      }
    };
    try {
      await this.subscribed.get(name);
    } catch (err) {
      await unsubscribe().catch(() => undefined);
      throw err;
    }
    return unsubscribe;
  }
}
