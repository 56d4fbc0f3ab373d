import { describe, it } from 'node:test';
import { expect } from 'expect';
import { MemoryKeyValueStore } from '../../state/memory-key-value.store.js';
import { BatchedRateCounter } from './rate-counter.js';

const WINDOW_MS = 60_000;

describe('BatchedRateCounter', () => {
  it('counts exactly on one instance, before and after syncing', async () => {
    const store = new MemoryKeyValueStore();
    const counter = new BatchedRateCounter(store, WINDOW_MS, 60_000);
    try {
      expect([1, 2, 3].map(() => counter.hit('rl:a').count)).toEqual([1, 2, 3]);
      await counter.sync();
      expect((await store.getCounter('rl:a')).count).toBe(3);
      expect(counter.hit('rl:a').count).toBe(4);
      expect(counter.hit('rl:b').count).toBe(1);
      await counter.sync();
      expect((await store.getCounter('rl:a')).count).toBe(4);
      expect((await store.getCounter('rl:b')).count).toBe(1);
    } finally {
      await counter.close();
      store.onModuleDestroy();
    }
  });

  it("learns other instances' counts at its next sync", async () => {
    const store = new MemoryKeyValueStore();
    const a = new BatchedRateCounter(store, WINDOW_MS, 60_000);
    const b = new BatchedRateCounter(store, WINDOW_MS, 60_000);
    try {
      for (let i = 0; i < 5; i++) a.hit('rl:x');
      await a.sync();
      // b has not synced yet: it knows only its own hits.
      expect(b.hit('rl:x').count).toBe(1);
      await b.sync();
      expect(b.hit('rl:x').count).toBe(7);
      expect((await store.getCounter('rl:x')).count).toBe(6);
    } finally {
      await Promise.all([a.close(), b.close()]);
      store.onModuleDestroy();
    }
  });

  it('starts a new window when the old one ends, and forgets idle callers', async () => {
    let now = 1_000_000;
    const store = new MemoryKeyValueStore();
    const counter = new BatchedRateCounter({ increment: (key, _w, by) => store.increment(key, 1_000, by) }, 1_000, 60_000, () => now);
    try {
      counter.hit('rl:a');
      const second = counter.hit('rl:a');
      expect(second).toEqual({ count: 2, ttlMs: 1_000 });
      now += 1_000;
      expect(counter.hit('rl:a').count).toBe(1);
      await counter.sync();
      now += 1_000;
      await counter.sync();
      expect(counter.size).toBe(0);
    } finally {
      await counter.close();
      store.onModuleDestroy();
    }
  });

  it('keeps hits whose sync failed and sends them with the next one', async () => {
    const store = new MemoryKeyValueStore();
    let down = true;
    const counter = new BatchedRateCounter(
      { increment: (key, windowMs, by) => (down ? Promise.reject(new Error('store down')) : store.increment(key, windowMs, by)) },
      WINDOW_MS,
      60_000,
    );
    try {
      counter.hit('rl:a');
      counter.hit('rl:a');
      await counter.sync();
      expect(counter.hit('rl:a').count).toBe(3);
      down = false;
      await counter.sync();
      expect((await store.getCounter('rl:a')).count).toBe(3);
    } finally {
      await counter.close();
      store.onModuleDestroy();
    }
  });
});
