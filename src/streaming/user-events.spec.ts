import { describe, it } from 'node:test';
import { expect } from 'expect';
import { MemoryPubSub } from '../state/memory-pub-sub.js';
import { PubSub, type Unsubscribe } from '../state/pub-sub.js';
import { type UserEventSink, type UserFrame, UserEvents } from './user-events.js';

const tick = () => new Promise((r) => setTimeout(r, 5));
const sink = (frames: unknown[]): UserEventSink => ({ write: (f) => frames.push(f) });

// The in-memory pub/sub, counting the subscriptions made on it.
class CountingPubSub extends PubSub {
  readonly inner = new MemoryPubSub();
  subscriptions = 0;
  publish(channel: string, message: string): Promise<void> {
    return this.inner.publish(channel, message);
  }
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe> {
    this.subscriptions++;
    return this.inner.subscribe(channel, handler);
  }
}

describe('UserEvents', () => {
  it("delivers a user's frames to each of that user's sinks only, over one subscription per process", async () => {
    const pubsub = new CountingPubSub();
    const events = new UserEvents(pubsub);
    const seen: Record<string, UserFrame[]> = { a1: [], a2: [], b: [] };
    await events.subscribe('alice', sink(seen.a1));
    await events.subscribe('alice', sink(seen.a2));
    await events.subscribe('bob', sink(seen.b));
    await events.publish('alice', { type: 'session.updated', session: { id: 's1' } });
    await events.publish('carol', { type: 'session.updated', session: { id: 's2' } });
    await tick();
    expect(seen.a1).toEqual([{ type: 'session.updated', session: { id: 's1' } }]);
    expect(seen.a2).toEqual(seen.a1);
    expect(seen.b).toEqual([]);
    expect(pubsub.subscriptions).toBe(1);
  });

  it('stops a sink when it unsubscribes, leaving the others', async () => {
    const events = new UserEvents(new MemoryPubSub());
    const first: UserFrame[] = [];
    const second: UserFrame[] = [];
    const firstSink = sink(first);
    await events.subscribe('alice', firstSink);
    await events.subscribe('alice', sink(second));
    events.unsubscribe('alice', firstSink);
    await events.publish('alice', { type: 'document.progress' });
    await tick();
    expect(first).toEqual([]);
    expect(second).toEqual([{ type: 'document.progress' }]);
  });

  it('retries the process subscription after a failed one', async () => {
    const pubsub = new CountingPubSub();
    let fail = true;
    const flaky = new (class extends PubSub {
      publish(channel: string, message: string) {
        return pubsub.publish(channel, message);
      }
      subscribe(channel: string, handler: (message: string) => void) {
        if (fail) return Promise.reject(new Error('Redis is down'));
        return pubsub.subscribe(channel, handler);
      }
    })();
    const events = new UserEvents(flaky);
    await expect(events.subscribe('alice', sink([]))).rejects.toThrow('Redis is down');
    fail = false;
    const seen: UserFrame[] = [];
    await events.subscribe('alice', sink(seen));
    await events.publish('alice', { type: 'notification' });
    await tick();
    expect(seen).toEqual([{ type: 'notification' }]);
  });
});
