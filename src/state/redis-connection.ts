import { Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config.js';

// The Redis clients of this process, when REDIS_URL is set. Commands fail fast during an outage
// (no offline queue) so requests answer with an error instead of hanging.
export class RedisConnection {
  private constructor(
    readonly commands: Redis,
    readonly subscriber: Redis,
  ) {}

  static async open(config: AppConfig): Promise<RedisConnection | null> {
    const url = config.redis.url;
    if (!url) return null;
    const options = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 2 };
    // Auto-pipelining sends the commands issued in one tick (a thousand streams' appends) as one
    // write instead of one each.
    const commands = new Redis(url, { ...options, keyPrefix: config.redis.keyPrefix, enableAutoPipelining: true });
    const subscriber = new Redis(url, options);
    for (const client of [commands, subscriber]) {
      // Errors are retried by ioredis; without a listener they would crash the process.
      client.on('error', () => undefined);
    }
    await Promise.all([commands.connect(), subscriber.connect()]);
    return new RedisConnection(commands, subscriber);
  }

  async ping(): Promise<boolean> {
    return (await this.commands.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }
}
