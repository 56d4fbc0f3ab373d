import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { expect } from 'expect';
import { AppConfig } from '../../src/config/app-config.js';
import type { KeyValueStore } from '../../src/state/key-value.store.js';
import { MemoryKeyValueStore } from '../../src/state/memory-key-value.store.js';
import { MemoryPubSub } from '../../src/state/memory-pub-sub.js';
import type { PubSub } from '../../src/state/pub-sub.js';
import { RedisConnection } from '../../src/state/redis-connection.js';
import { RedisKeyValueStore } from '../../src/state/redis-key-value.store.js';
import { RedisPubSub } from '../../src/state/redis-pub-sub.js';
import { TEST_ENV } from '../support/test-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The same contract runs against both implementations (Redis only when REDIS_URL is set).
const implementations: { name: string; open: () => Promise<{ kv: KeyValueStore; pubsub: PubSub; close(): Promise<void> }> }[] = [
  {
    name: 'memory',
    open: () => {
      const kv = new MemoryKeyValueStore();
      return Promise.resolve({ kv, pubsub: new MemoryPubSub(), close: () => Promise.resolve(kv.onModuleDestroy()) });
    },
  },
];
if (process.env.REDIS_URL) {
  implementations.push({
    name: 'redis',
    open: async () => {
      const prefix = `test:${randomUUID()}:`;
      const config = new AppConfig({ ...TEST_ENV, DATA_DIR: '/tmp', REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: prefix });
      const redis = (await RedisConnection.open(config))!;
      return {
        kv: new RedisKeyValueStore(redis.commands),
        pubsub: new RedisPubSub(redis.commands, redis.subscriber, prefix),
        close: () => redis.close(),
      };
    },
  });
}

for (const impl of implementations) {
  describe(`state on ${impl.name}`, () => {
    let opened: Awaited<ReturnType<(typeof impl)['open']>> | undefined;
    const state = async () => (opened ??= await impl.open());
    after(async () => opened?.close());

    it('gets, sets, deletes and expires keys', async () => {
      const { kv } = await state();
      await kv.set('a', '1');
      await kv.set('b', '2', { ttlMs: 50 });
      expect(await kv.getMany(['a', 'b', 'c'])).toEqual(['1', '2', null]);
      await sleep(80);
      expect(await kv.get('b')).toBeNull();
      await kv.delete('a');
      expect(await kv.get('a')).toBeNull();
    });

    it('writes onlyIfAbsent without overwriting', async () => {
      const { kv } = await state();
      await kv.set('fresh', 'new', { ttlMs: 10_000 });
      await kv.set('fresh', 'stale', { ttlMs: 10_000, onlyIfAbsent: true });
      expect(await kv.get('fresh')).toBe('new');
      await kv.set('empty', 'filled', { onlyIfAbsent: true });
      expect(await kv.get('empty')).toBe('filled');
    });

    it('counts in a fixed window that starts at the first increment', async () => {
      const { kv } = await state();
      expect(await kv.getCounter('hits')).toEqual({ count: 0, ttlMs: 0 });
      const first = await kv.increment('hits', 200);
      await sleep(50);
      const second = await kv.increment('hits', 200);
      expect(first.count).toBe(1);
      expect(second.count).toBe(2);
      expect(second.ttlMs).toBeLessThanOrEqual(first.ttlMs);
      expect((await kv.getCounter('hits')).count).toBe(2);
      await sleep(220);
      expect((await kv.increment('hits', 200)).count).toBe(1);
    });

    it('delivers published messages to every subscriber until they unsubscribe', async () => {
      const { pubsub } = await state();
      const a: string[] = [];
      const b: string[] = [];
      const offA = await pubsub.subscribe('room', (m) => a.push(m));
      const offB = await pubsub.subscribe('room', (m) => b.push(m));
      await pubsub.publish('room', 'hello');
      await pubsub.publish('elsewhere', 'ignored');
      await waitFor(() => a.length === 1 && b.length === 1);
      await offA();
      await pubsub.publish('room', 'again');
      await waitFor(() => b.length === 2);
      expect(a).toEqual(['hello']);
      expect(b).toEqual(['hello', 'again']);
      await offB();
    });
  });
}

if (process.env.REDIS_URL) {
  describe('redis pub/sub subscriptions', () => {
    it('returns to a second subscriber of a channel only once the channel is subscribed', async () => {
      const prefix = `test:${randomUUID()}:`;
      const config = new AppConfig({ ...TEST_ENV, DATA_DIR: '/tmp', REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: prefix });
      const redis = (await RedisConnection.open(config))!;
      try {
        // A slow SUBSCRIBE acknowledgement (a busy Redis, a far one) made visible.
        const slowSubscriber = {
          on: (event: string, listener: (...args: string[]) => void) => redis.subscriber.on(event, listener),
          subscribe: async (name: string) => {
            await sleep(50);
            return redis.subscriber.subscribe(name);
          },
          unsubscribe: (name: string) => redis.subscriber.unsubscribe(name),
        } as unknown as typeof redis.subscriber;
        const pubsub = new RedisPubSub(redis.commands, slowSubscriber, prefix);
        const first: string[] = [];
        const second: string[] = [];
        const firstSubscribed = pubsub.subscribe('room', (m) => first.push(m));
        const offSecond = await pubsub.subscribe('room', (m) => second.push(m));
        // What a follower does next: anything published from here on must reach it.
        await pubsub.publish('room', 'right after');
        await waitFor(() => second.length === 1);
        expect(second).toEqual(['right after']);
        expect(first).toEqual(['right after']);
        await (await firstSubscribed)();
        await offSecond();
      } finally {
        await redis.close();
      }
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
