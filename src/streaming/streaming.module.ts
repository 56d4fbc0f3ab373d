import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PubSub } from '../state/pub-sub.js';
import { RedisConnection } from '../state/redis-connection.js';
import { MemoryStreamLog } from './memory-stream-log.js';
import { RedisStreamLog } from './redis-stream-log.js';
import { StreamBus } from './stream-bus.js';
import { StreamLog } from './stream-log.js';
import { UserEvents } from './user-events.js';

// The stream bus: Redis Streams + pub/sub when REDIS_URL is set (any instance serves any
// stream), in memory otherwise; and the events of each user's connections.
@Global()
@Module({
  providers: [
    {
      provide: StreamLog,
      inject: [RedisConnection, PubSub, AppConfig],
      useFactory: (redis: RedisConnection | null, pubsub: PubSub, config: AppConfig) =>
        redis
          ? new RedisStreamLog(redis.commands, config.redis.keyPrefix, config.streaming.logWriteMs)
          : new MemoryStreamLog(pubsub),
    },
    StreamBus,
    UserEvents,
  ],
  exports: [StreamBus, UserEvents],
})
export class StreamingModule {}
