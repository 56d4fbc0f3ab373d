import { Global, Inject, Injectable, Module, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { KeyValueStore } from './key-value.store.js';
import { MemoryKeyValueStore } from './memory-key-value.store.js';
import { MemoryPubSub } from './memory-pub-sub.js';
import { PubSub } from './pub-sub.js';
import { RedisConnection } from './redis-connection.js';
import { RedisKeyValueStore } from './redis-key-value.store.js';
import { RedisPubSub } from './redis-pub-sub.js';

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

// Shared state (key/value with TTL, pub/sub) on Redis when configured, in memory otherwise.
@Global()
@Module({
  providers: [
    { provide: RedisConnection, inject: [AppConfig], useFactory: (config: AppConfig) => RedisConnection.open(config) },
    {
      provide: KeyValueStore,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection | null) =>
        redis ? new RedisKeyValueStore(redis.commands) : new MemoryKeyValueStore(),
    },
    {
      provide: PubSub,
      inject: [RedisConnection, AppConfig],
      useFactory: (redis: RedisConnection | null, config: AppConfig) =>
        redis ? new RedisPubSub(redis.commands, redis.subscriber, config.redis.keyPrefix) : new MemoryPubSub(),
    },
    RedisLifecycle,
  ],
  exports: [RedisConnection, KeyValueStore, PubSub],
})
export class StateModule {}
