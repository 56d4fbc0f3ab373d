import { describe, it } from 'node:test';
import { expect } from 'expect';
import { ProviderError, ProviderErrorCode } from './provider-error.js';
import { type RetryPolicy, retryDelay, streamWithFallbacks, streamWithRetries } from './provider-stream.js';
import type { ProviderEvent } from './provider.types.js';

const rateLimited = (retryAfterMs?: number) => new ProviderError('p', ProviderErrorCode.RateLimited, 'slow down', { status: 429, retryable: true, retryAfterMs });
const badRequest = () => new ProviderError('p', ProviderErrorCode.InvalidRequest, 'bad', { status: 400 });

function policy(sleeps: number[], overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), ...overrides };
}

// An upstream that fails `failures` times before the first event, then streams `events`,
// optionally failing after them.
function upstream(failures: ProviderError[], events: ProviderEvent[], failAfter?: ProviderError) {
  let calls = 0;
  async function* run(): AsyncGenerator<ProviderEvent> {
    const failure = failures[calls++];
    if (failure) throw failure;
    for (const e of events) yield await Promise.resolve(e);
    if (failAfter) throw failAfter;
  }
  return {
    get calls() {
      return calls;
    },
    open: (): AsyncIterable<ProviderEvent> => run(),
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<{ events: T[]; error?: unknown }> {
  const events: T[] = [];
  try {
    for await (const e of iterable) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const text = (delta: string): ProviderEvent => ({ type: 'text', delta });
const signal = () => new AbortController().signal;

describe('streamWithRetries', () => {
  it('retries retryable failures before the first event, with exponential backoff', async () => {
    const sleeps: number[] = [];
    const up = upstream([rateLimited(), rateLimited()], [text('ok')]);
    const { events, error } = await collect(streamWithRetries('p', up.open, policy(sleeps), signal()));
    expect(error).toBeUndefined();
    expect(events).toEqual([text('ok')]);
    expect(up.calls).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('honours retry-after, and gives up at once when it is longer than the maximum delay', async () => {
    const sleeps: number[] = [];
    const up = upstream([rateLimited(300), rateLimited(60_000)], [text('ok')]);
    const { events, error } = await collect(streamWithRetries('p', up.open, policy(sleeps), signal()));
    expect(sleeps).toEqual([300]);
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: ProviderErrorCode.RateLimited, retryAfterMs: 60_000 });
    expect(up.calls).toBe(2);
  });

  it('jitters between half and all of the backoff', () => {
    const err = rateLimited();
    expect(retryDelay(2, err, policy([], { random: () => 0 }))).toBe(200);
    expect(retryDelay(2, err, policy([], { random: () => 1 }))).toBe(400);
    expect(retryDelay(10, err, policy([], { random: () => 1 }))).toBe(1000);
  });

  it('gives up after maxRetries and rethrows the last error', async () => {
    const up = upstream([rateLimited(), rateLimited(), rateLimited(), rateLimited()], [text('never')]);
    const { events, error } = await collect(streamWithRetries('p', up.open, policy([]), signal()));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: ProviderErrorCode.RateLimited });
    expect(up.calls).toBe(3);
  });

  it('does not retry a non-retryable error', async () => {
    const up = upstream([badRequest()], [text('never')]);
    const { error } = await collect(streamWithRetries('p', up.open, policy([]), signal()));
    expect(error).toMatchObject({ code: ProviderErrorCode.InvalidRequest });
    expect(up.calls).toBe(1);
  });

  it('never retries once an event was yielded: the error ends the stream', async () => {
    const up = upstream([], [text('a'), text('b')], rateLimited());
    const { events, error } = await collect(streamWithRetries('p', up.open, policy([]), signal()));
    expect(events).toEqual([text('a'), text('b')]);
    expect(error).toMatchObject({ code: ProviderErrorCode.RateLimited });
    expect(up.calls).toBe(1);
  });

  it('stops waiting when aborted during a backoff', async () => {
    const controller = new AbortController();
    const up = upstream([rateLimited(5000)], [text('never')]);
    const pending = collect(streamWithRetries('p', up.open, { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 10_000 }, controller.signal));
    setTimeout(() => controller.abort(), 20);
    const { error } = await pending;
    expect(error).toMatchObject({ code: ProviderErrorCode.Aborted });
    expect(up.calls).toBe(1);
  });
});

describe('a provider stream', () => {
  it('closes the vendor stream when the reader stops, and ends after an error', async () => {
    let closedUpstream = false;
    async function* vendor(): AsyncGenerator<ProviderEvent> {
      try {
        for (const delta of ['a', 'b', 'never read']) yield await Promise.resolve(text(delta));
      } finally {
        closedUpstream = true;
      }
    }
    const stream = streamWithFallbacks([{ route: { provider: 'a', model: 'm' }, open: vendor }], policy([]), signal());
    const seen: string[] = [];
    for await (const e of stream) {
      seen.push(e.type);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['route', 'text', 'text']);
    expect(closedUpstream).toBe(true);

    const failing = streamWithRetries('p', upstream([], [text('x')], badRequest()).open, policy([]), signal());
    expect(await failing.next()).toEqual({ value: text('x'), done: false });
    await expect(failing.next()).rejects.toMatchObject({ code: ProviderErrorCode.InvalidRequest });
  });
});

describe('streamWithFallbacks', () => {
  const candidate = (provider: string, up: ReturnType<typeof upstream>) => ({ route: { provider, model: `${provider}-m` }, open: up.open });

  it('announces the route, then streams the primary', async () => {
    const { events } = await collect(streamWithFallbacks([candidate('a', upstream([], [text('hi')]))], policy([]), signal()));
    expect(events).toEqual([{ type: 'route', provider: 'a', model: 'a-m' }, text('hi')]);
  });

  it('falls back when the primary fails before its first event (after its retries)', async () => {
    const primary = upstream([rateLimited(), rateLimited(), rateLimited()], []);
    const { events, error } = await collect(
      streamWithFallbacks([candidate('a', primary), candidate('b', upstream([], [text('from b')]))], policy([]), signal()),
    );
    expect(error).toBeUndefined();
    expect(primary.calls).toBe(3);
    expect(events).toEqual([{ type: 'route', provider: 'a', model: 'a-m' }, { type: 'route', provider: 'b', model: 'b-m' }, text('from b')]);
  });

  it('falls back at once on a non-retryable error, and throws the last error when all fail', async () => {
    const a = upstream([badRequest()], []);
    const b = upstream([badRequest()], []);
    const { events, error } = await collect(streamWithFallbacks([candidate('a', a), candidate('b', b)], policy([]), signal()));
    expect(events.map((e) => e.type)).toEqual(['route', 'route']);
    expect(error).toMatchObject({ code: ProviderErrorCode.InvalidRequest });
    expect([a.calls, b.calls]).toEqual([1, 1]);
  });

  it('does not fall back after the primary has streamed', async () => {
    const b = upstream([], [text('never')]);
    const { events, error } = await collect(
      streamWithFallbacks([candidate('a', upstream([], [text('part')], badRequest())), candidate('b', b)], policy([]), signal()),
    );
    expect(events).toEqual([{ type: 'route', provider: 'a', model: 'a-m' }, text('part')]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(b.calls).toBe(0);
  });

  it('does not fall back on an abort', async () => {
    const controller = new AbortController();
    controller.abort();
    const b = upstream([], [text('never')]);
    const aborted = upstream([new ProviderError('a', ProviderErrorCode.Aborted, 'aborted')], []);
    const { error } = await collect(streamWithFallbacks([candidate('a', aborted), candidate('b', b)], policy([]), controller.signal));
    expect(error).toMatchObject({ code: ProviderErrorCode.Aborted });
    expect(b.calls).toBe(0);
  });
});
