import type { Redis } from 'ioredis';
import { type Counter, KeyValueStore, type SetOptions } from './key-value.store.js';

// Keys are namespaced by the client's keyPrefix (REDIS_KEY_PREFIX).
export class RedisKeyValueStore extends KeyValueStore {
  constructor(private readonly redis: Redis) {
    super();
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    return keys.length === 0 ? [] : this.redis.mget(keys);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<void> {
    if (options.ttlMs && options.onlyIfAbsent) await this.redis.set(key, value, 'PX', options.ttlMs, 'NX');
    else if (options.ttlMs) await this.redis.set(key, value, 'PX', options.ttlMs);
    else if (options.onlyIfAbsent) await this.redis.set(key, value, 'NX');
    else await this.redis.set(key, value);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async increment(key: string, windowMs: number, by = 1): Promise<Counter> {
    // PEXPIRE NX sets the window only on the first increment (Redis 7).
    const results = await this.redis.multi().incrby(key, by).pexpire(key, windowMs, 'NX').pttl(key).exec();
    if (!results) throw new Error('Redis transaction aborted');
    const [[incrErr, count], , [ttlErr, ttl]] = results;
    const error = incrErr ?? ttlErr;
    if (error) throw error;
    return { count: Number(count), ttlMs: Math.max(0, Number(ttl)) };
  }

  async getCounter(key: string): Promise<Counter> {
    const results = await this.redis.multi().get(key).pttl(key).exec();
    const value = results?.[0]?.[1] as string | null | undefined;
    const ttl = Number(results?.[1]?.[1] ?? 0);
    return { count: value ? Number(value) : 0, ttlMs: Math.max(0, ttl) };
  }
}
