import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PubSub, type Unsubscribe } from '../state/pub-sub.js';

export type UserFrame = Record<string, unknown> & { type: string };
// A receiver of one user's events (a WebSocket connection): an object rather than a callback, so
// an idle socket holds no closure for it.
export interface UserEventSink {
  write(frame: UserFrame): void;
}

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
  private readonly sinks = new Map<string, Set<UserEventSink>>();
  private subscription?: Promise<Unsubscribe>;

  constructor(@Inject(PubSub) private readonly pubsub: PubSub) {}

  publish(userId: string, frame: UserFrame): Promise<void> {
    return this.pubsub.publish(CHANNEL, `${userId}\n${JSON.stringify(frame)}`);
  }

  // Resolves once the process hears the channel.
  async subscribe(userId: string, sink: UserEventSink): Promise<void> {
    await this.listen();
    let set = this.sinks.get(userId);
    if (!set) this.sinks.set(userId, (set = new Set()));
    set.add(sink);
  }

  unsubscribe(userId: string, sink: UserEventSink): void {
    const set = this.sinks.get(userId);
    if (set?.delete(sink) && set.size === 0) this.sinks.delete(userId);
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
    const sinks = this.sinks.get(message.slice(0, split));
    if (!sinks) return;
    const frame = JSON.parse(message.slice(split + 1)) as UserFrame;
    sinks.forEach((sink) => sink.write(frame));
  }
}
