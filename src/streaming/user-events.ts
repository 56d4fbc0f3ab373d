import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PubSub, type Unsubscribe } from '../state/pub-sub.js';

export type UserFrame = Record<string, unknown> & { type: string };
export type UserEventHandler = (frame: UserFrame) => void;

// Events for one user's WebSocket connections (session.updated, document.progress, ...). They all
// travel on one channel that each process subscribes to once, then fan out here by user: one
// Redis subscription per process instead of one per connected user (10,000 idle sockets of
// distinct users had meant 10,000 SUBSCRIBEs and about 4 KB more memory per socket), and an
// event is parsed once however many of the user's sockets receive it. Every process hears every
// user event, and skips the ones for users it has no socket for before parsing them; they are
// rare next to reply streams, which keep a channel per stream.
const CHANNEL = 'user-events';

@Injectable()
export class UserEvents implements OnModuleDestroy {
  private readonly handlers = new Map<string, Set<UserEventHandler>>();
  private subscription?: Promise<Unsubscribe>;

  constructor(@Inject(PubSub) private readonly pubsub: PubSub) {}

  publish(userId: string, frame: UserFrame): Promise<void> {
    return this.pubsub.publish(CHANNEL, `${userId}\n${JSON.stringify(frame)}`);
  }

  // Resolves once the process hears the channel; the returned function stops this handler.
  async subscribe(userId: string, handler: UserEventHandler): Promise<() => void> {
    await this.listen();
    let set = this.handlers.get(userId);
    if (!set) this.handlers.set(userId, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(userId) === set) this.handlers.delete(userId);
    };
  }

  async onModuleDestroy(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await (await subscription.catch(() => () => Promise.resolve()))();
  }

  private listen(): Promise<Unsubscribe> {
    this.subscription ??= this.pubsub.subscribe(CHANNEL, (message) => this.deliver(message)).catch((err: unknown) => {
      // A failed subscription is retried by the next subscriber rather than cached.
      this.subscription = undefined;
      throw err;
    });
    return this.subscription;
  }

  private deliver(message: string): void {
    const split = message.indexOf('\n');
    const handlers = this.handlers.get(message.slice(0, split));
    if (!handlers) return;
    const frame = JSON.parse(message.slice(split + 1)) as UserFrame;
    handlers.forEach((h) => h(frame));
  }
}
