import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Redis } from 'ioredis';
import { MemoryPubSub } from '../../src/state/memory-pub-sub.js';
import type { PubSub } from '../../src/state/pub-sub.js';
import { RedisPubSub } from '../../src/state/redis-pub-sub.js';
import { streamChannel } from '../../src/streaming/channels.js';
import { MemoryStreamLog } from '../../src/streaming/memory-stream-log.js';
import { RedisStreamLog } from '../../src/streaming/redis-stream-log.js';
import type { StreamEvent } from '../../src/streaming/stream-event.js';
import type { StreamLog } from '../../src/streaming/stream-log.js';

const delta = (seq: number): StreamEvent => ({ seq, event: 'message.delta', data: { seq, delta: `t${seq}` } });
const seqs = (events: StreamEvent[]) => events.map((e) => e.seq);

// The stream log against real Redis when REDIS_URL is set (batched entries, published in the same
// pipeline), in memory otherwise: the same contract either way.
describe('stream log', () => {
  const prefix = `test:${randomUUID().slice(0, 8)}:`;
  let clients: Redis[] = [];
  let log: StreamLog;
  let pubsub: PubSub;
  let commands: Redis | undefined;

  before(async () => {
    const url = process.env.REDIS_URL;
    if (!url) {
      pubsub = new MemoryPubSub();
      log = new MemoryStreamLog(pubsub);
      return;
    }
    commands = new Redis(url, { keyPrefix: prefix, lazyConnect: true });
    const subscriber = new Redis(url, { lazyConnect: true });
    clients = [commands, subscriber];
    await Promise.all(clients.map((c) => c.connect()));
    pubsub = new RedisPubSub(commands, subscriber, prefix);
    log = new RedisStreamLog(commands, prefix);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('reads from any seq, also one in the middle of a batch, and publishes each batch after writing it', async () => {
    const stream = randomUUID();
    const live: number[][] = [];
    const unsubscribe = await pubsub.subscribe(streamChannel(stream), (message) => live.push(seqs(JSON.parse(message) as StreamEvent[])));
    // Appended in one turn: written (and published) together.
    const first = [log.append(stream, [delta(1), delta(2)]), log.append(stream, [delta(3)])];
    await Promise.all(first);
    await log.append(stream, [delta(4), delta(5)]);
    expect(seqs(await log.range(stream, 0))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(await log.range(stream, 1))).toEqual([2, 3, 4, 5]);
    expect(seqs(await log.range(stream, 3))).toEqual([4, 5]);
    expect(seqs(await log.range(stream, 4))).toEqual([5]);
    expect(await log.range(stream, 5)).toEqual([]);
    expect((await log.range(stream, 0))[2]).toEqual(delta(3));
    for (let i = 0; live.flat().length < 5 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    expect(live.flat()).toEqual([1, 2, 3, 4, 5]);
    await unsubscribe();
  });

  it('reads entries of the older one-event format', { skip: !process.env.REDIS_URL && 'needs Redis' }, async () => {
    const stream = randomUUID();
    await commands!.xadd(`stream:${stream}`, '1-0', 'e', JSON.stringify(['message.delta', { seq: 1, delta: 't1' }]));
    await commands!.xadd(`stream:${stream}`, '2-0', 'e', JSON.stringify(['message.delta', { seq: 2, delta: 't2' }]));
    await log.append(stream, [delta(3), delta(4)]);
    expect(await log.range(stream, 1)).toEqual([delta(2), delta(3), delta(4)]);
  });
  it('fails only the stream whose write Redis refuses, and gives a new stream its expiry', { skip: !process.env.REDIS_URL && 'needs Redis' }, async () => {
    const [broken, fine] = [randomUUID(), randomUUID()];
    await log.append(broken, [delta(1), delta(2)]);
    expect(await commands!.ttl(`stream:${broken}`)).toBeGreaterThan(0);
    // Written in one turn: an entry id below the last one is refused for that stream alone.
    const results = await Promise.allSettled([log.append(broken, [delta(2)]), log.append(fine, [delta(1)])]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/equal or smaller/) }) });
    expect(results[1].status).toBe('fulfilled');
    expect(seqs(await log.range(fine, 0))).toEqual([1]);
    expect(seqs(await log.range(broken, 0))).toEqual([1, 2]);
  });

  it('gathers a stream over the write interval into one entry, and writes its end at once', { skip: !process.env.REDIS_URL && 'needs Redis' }, async () => {
    const timed = new RedisStreamLog(commands!, prefix, 300);
    const [steady, ending] = [randomUUID(), randomUUID()];
    const written = [timed.append(steady, [delta(1)]), timed.append(ending, [delta(1)])];
    await new Promise((r) => setTimeout(r, 20));
    written.push(timed.append(steady, [delta(2), delta(3)]));
    await timed.append(ending, [{ seq: 2, event: 'message.completed', data: { seq: 2 } }]);
    // The end went out before the interval was over (the other stream is not written yet), with
    // what its stream had gathered.
    expect(await commands!.xlen(`stream:${steady}`)).toBe(0);
    expect(seqs(await timed.range(ending, 0))).toEqual([1, 2]);
    expect(await commands!.xlen(`stream:${ending}`)).toBe(1);
    await Promise.all(written);
    expect(await commands!.xrange(`stream:${steady}`, '-', '+')).toEqual([['3-0', ['b', JSON.stringify([delta(1), delta(2), delta(3)])]]]);
    expect(seqs(await timed.range(steady, 1))).toEqual([2, 3]);
  });
});
