import { Global, Module } from '@nestjs/common';
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
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection | null) => (redis ? new RedisStreamLog(redis.commands) : new MemoryStreamLog()),
    },
    StreamBus,
    UserEvents,
  ],
  exports: [StreamBus, UserEvents],
})
export class StreamingModule {}
