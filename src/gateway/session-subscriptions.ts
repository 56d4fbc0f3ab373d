import type { PubSub, Unsubscribe } from '../state/pub-sub.js';
import { sessionChannel } from '../streaming/channels.js';
import { FrameError } from './frame-parser.js';

// What a socket lends to its session subscriptions.
export interface SubscriptionHost {
  readonly id: string;
  userId(): string;
  write(frame: unknown): void;
  follow(messageId: string, afterSeq: number, sessionId: string): Promise<void>;
  // Stops following the replies of a session (the user lost access).
  dropSession(sessionId: string): void;
}

interface SessionEvent {
  type: string;
  origin?: string;
  userId?: string;
  status?: 'online' | 'offline';
  query?: boolean;
  assistantMessage?: { id: string };
}

const MAX_SESSIONS = 64;

// A socket's subscribed sessions: every reply created in them is followed live, and members see
// each other's presence and typing. Presence is per connection (a user may have several); a new
// subscriber asks the others to announce themselves.
export class SessionSubscriptions {
  private readonly sessions = new Map<string, Unsubscribe>();

  constructor(
    private readonly host: SubscriptionHost,
    private readonly pubsub: PubSub,
  ) {}

  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  async add(sessionId: string): Promise<void> {
    if (this.sessions.has(sessionId)) return;
    if (this.sessions.size >= MAX_SESSIONS) throw new FrameError('TOO_MANY_SUBSCRIPTIONS', `At most ${MAX_SESSIONS} sessions per connection`);
    const unsubscribe = await this.pubsub.subscribe(sessionChannel(sessionId), (message) =>
      this.onEvent(sessionId, JSON.parse(message) as SessionEvent),
    );
    this.sessions.set(sessionId, unsubscribe);
    await this.announce(sessionId, 'online', true);
  }

  async remove(sessionId: string): Promise<void> {
    const unsubscribe = this.sessions.get(sessionId);
    if (!unsubscribe) return;
    this.sessions.delete(sessionId);
    await unsubscribe();
    await this.announce(sessionId, 'offline', false);
  }

  async typing(sessionId: string): Promise<void> {
    if (!this.sessions.has(sessionId)) throw new FrameError('NOT_SUBSCRIBED', 'Subscribe to the session first');
    await this.publish(sessionId, { type: 'typing', userId: this.host.userId() });
  }

  async removeAll(): Promise<void> {
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.remove(id)));
  }

  private onEvent(sessionId: string, event: SessionEvent): void {
    if (event.origin === this.host.id) return;
    switch (event.type) {
      case 'message.created': {
        const { origin: _origin, ...frame } = event;
        this.host.write(frame);
        if (event.assistantMessage) {
          const messageId = event.assistantMessage.id;
          // A socket that follows too many streams is told which reply it does not get live.
          void this.host.follow(messageId, 0, sessionId).catch((err: unknown) => {
            if (err instanceof FrameError) this.host.write({ type: 'error', code: err.code, message: err.message, messageId });
          });
        }
        return;
      }
      case 'presence':
        this.host.write({ type: 'presence', sessionId, userId: event.userId, connectionId: event.origin, status: event.status });
        if (event.query) void this.announce(sessionId, 'online', false);
        return;
      case 'typing':
        this.host.write({ type: 'typing', sessionId, userId: event.userId });
        return;
      case 'member.removed':
        if (event.userId !== this.host.userId()) return;
        this.host.dropSession(sessionId);
        this.host.write({ type: 'unsubscribed', sessionId, reason: 'removed' });
        void this.remove(sessionId);
        return;
    }
  }

  private announce(sessionId: string, status: 'online' | 'offline', query: boolean): Promise<void> {
    return this.publish(sessionId, { type: 'presence', userId: this.host.userId(), status, query });
  }

  private publish(sessionId: string, event: SessionEvent): Promise<void> {
    return this.pubsub.publish(sessionChannel(sessionId), JSON.stringify({ ...event, origin: this.host.id }));
  }
}
