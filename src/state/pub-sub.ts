export type Unsubscribe = () => Promise<void>;

// Fire-and-forget messages between instances (stop requests, cache invalidations, user events).
// Redis pub/sub when REDIS_URL is set, in memory otherwise.
export abstract class PubSub {
  abstract publish(channel: string, message: string): Promise<void>;
  abstract subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;
}
