import { describe, it } from 'node:test';
import { expect } from 'expect';
import { MemoryPubSub } from '../state/memory-pub-sub.js';
import { MemoryStreamLog } from './memory-stream-log.js';
import { LOCAL_REPLAY_EVENTS, StreamBus } from './stream-bus.js';
import type { StreamEvent } from './stream-event.js';

const delta = (seq: number, text: string): StreamEvent => ({ seq, event: 'message.delta', data: { seq, delta: text } });
const done = (seq: number): StreamEvent => ({ seq, event: 'message.completed', data: { seq } });
const tick = () => new Promise((r) => setTimeout(r, 5));

// Drops live messages while `dropping` (a lost pub/sub message); the log still has them.
class LossyPubSub extends MemoryPubSub {
  dropping = false;
  override publish(channel: string, message: string): Promise<void> {
    return this.dropping ? Promise.resolve() : super.publish(channel, message);
  }
}

describe('StreamBus', () => {
  it('replays what was appended after a seq, then delivers live events once, in order, until the final one', async () => {
    const pubsub = new MemoryPubSub();
    const bus = new StreamBus(new MemoryStreamLog(pubsub), pubsub);
    await bus.append('m', [delta(1, 'a'), delta(2, 'b'), delta(3, 'c')]);
    const seen: number[] = [];
    await bus.follow('m', 1, (e) => seen.push(e.seq));
    expect(seen).toEqual([2, 3]);
    await bus.append('m', [delta(4, 'd')]);
    await bus.append('m', [done(5)]);
    await tick();
    await bus.append('m', [delta(6, 'after the end')]);
    await tick();
    expect(seen).toEqual([2, 3, 4, 5]);
  });

  it('fills a gap from the log when a live message was lost', async () => {
    const pubsub = new LossyPubSub();
    const bus = new StreamBus(new MemoryStreamLog(pubsub), pubsub);
    const seen: string[] = [];
    await bus.follow('m', 0, (e) => seen.push(e.data.delta as string));
    // Written to the log but its live message never arrives (a dropped pub/sub message).
    pubsub.dropping = true;
    await bus.append('m', [delta(1, 'a'), delta(2, 'b')]);
    pubsub.dropping = false;
    await bus.append('m', [delta(3, 'c')]);
    await tick();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('stops delivering after close', async () => {
    const pubsub = new MemoryPubSub();
    const bus = new StreamBus(new MemoryStreamLog(pubsub), pubsub);
    const seen: number[] = [];
    const follower = await bus.follow('m', 0, (e) => seen.push(e.seq));
    await bus.append('m', [delta(1, 'a')]);
    await tick();
    follower.close();
    await bus.append('m', [delta(2, 'b')]);
    await tick();
    expect(seen).toEqual([1]);
  });
});

describe('StreamBus, streams produced in this process', () => {
  it('delivers to local followers from memory, synchronously, and hands them to the shared bus when production moves away', async () => {
    const pubsub = new MemoryPubSub();
    const log = new MemoryStreamLog(pubsub);
    const bus = new StreamBus(log, pubsub);
    bus.openLocal('m');
    await bus.append('m', [delta(1, 'a')]);
    const seen: string[] = [];
    await bus.follow('m', 0, (e) => seen.push(e.data.delta as string));
    expect(seen).toEqual(['a']);
    void bus.append('m', [delta(2, 'b')]);
    // Delivered before the log write resolves: no round trip.
    expect(seen).toEqual(['a', 'b']);
    bus.closeLocal('m');
    await tick();
    // Another instance finishes the stream: the follower gets it through the shared bus.
    const remote = new StreamBus(log, pubsub);
    await remote.append('m', [delta(3, 'c'), done(4)]);
    await tick();
    expect(seen).toEqual(['a', 'b', 'c', undefined]);
  });

  it('keeps only recent events in memory: an older seq replays from the log, then goes on live, losing and repeating nothing', async () => {
    const pubsub = new MemoryPubSub();
    const bus = new StreamBus(new MemoryStreamLog(pubsub), pubsub);
    bus.openLocal('m');
    const total = LOCAL_REPLAY_EVENTS * 5;
    for (let seq = 1; seq <= total; seq++) await bus.append('m', [delta(seq, `t${seq}`)]);
    const fromStart: number[] = [];
    await bus.follow('m', 0, (e) => fromStart.push(e.seq));
    const recent: number[] = [];
    await bus.follow('m', total - 3, (e) => recent.push(e.seq));
    // The recent follower is served from memory: synchronously, before any tick.
    expect(recent).toEqual([total - 2, total - 1, total]);
    await bus.append('m', [delta(total + 1, 'live'), done(total + 2)]);
    await tick();
    expect(fromStart).toEqual(Array.from({ length: total + 2 }, (_, i) => i + 1));
    expect(recent).toEqual([total - 2, total - 1, total, total + 1, total + 2]);
  });
});
