import { ProviderError, ProviderErrorCode, toProviderError } from './provider-error.js';
import type { ProviderEvent } from './provider.types.js';

export interface ModelRoute {
  provider: string;
  model: string;
}

export type RoutedEvent = ProviderEvent | { type: 'route'; provider: string; model: string };

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  // Caps both our backoff and a vendor's retry-after.
  maxDelayMs: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// Full jitter on an exponential backoff; a vendor's retry-after is honoured (within the cap).
export function retryDelay(attempt: number, error: ProviderError, policy: RetryPolicy): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.maxDelayMs);
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// Streams one route, retrying transient failures only while nothing has been yielded: once a
// client has seen part of a reply, a retry would duplicate it, so a later error ends the stream.
export function streamWithRetries(
  provider: string,
  open: () => AsyncIterable<ProviderEvent>,
  policy: RetryPolicy,
  signal: AbortSignal,
): AsyncIterableIterator<ProviderEvent> {
  const sleep = policy.sleep ?? abortableSleep;
  const toError = (err: unknown) => toProviderError(provider, err, { signal });
  return startedStream(async () => {
    for (let attempt = 0; ; attempt++) {
      const stream = open()[Symbol.asyncIterator]();
      try {
        const first = await stream.next();
        return first.done ? { head: [] } : { head: [first.value], rest: stream, toError };
      } catch (err) {
        const error = toError(err);
        if (!error.retryable || attempt >= policy.maxRetries || signal.aborted) throw error;
        try {
          await sleep(retryDelay(attempt, error, policy), signal);
        } catch (sleepError) {
          throw toError(sleepError);
        }
      }
    }
  });
}

// One request/response call (embeddings) with the same retry rules as a stream's opening.
export async function callWithRetries<T>(provider: string, call: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal): Promise<T> {
  const sleep = policy.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const error = toProviderError(provider, err, { signal });
      if (!error.retryable || attempt >= policy.maxRetries || signal.aborted) throw error;
      try {
        await sleep(retryDelay(attempt, error, policy), signal);
      } catch (sleepError) {
        throw toProviderError(provider, sleepError, { signal });
      }
    }
  }
}

export interface RouteCandidate {
  route: ModelRoute;
  open: () => AsyncIterable<ProviderEvent>;
}

// Tries each candidate in order; the next takes over only when the previous one failed before
// its first event (retries included). A route event announces who answers.
export function streamWithFallbacks(
  candidates: readonly RouteCandidate[],
  policy: RetryPolicy,
  signal: AbortSignal,
): AsyncIterableIterator<RoutedEvent> {
  return startedStream<RoutedEvent>(async () => {
    const head: RoutedEvent[] = [];
    let lastError: ProviderError | undefined;
    for (const candidate of candidates) {
      const { provider, model } = candidate.route;
      head.push({ type: 'route', provider, model });
      // Its errors are provider errors already (streamWithRetries converts them).
      const stream = streamWithRetries(provider, candidate.open, policy, signal);
      try {
        const first = await stream.next();
        if (first.done) return { head };
        head.push(first.value);
        return { head, rest: stream };
      } catch (err) {
        const error = toProviderError(provider, err, { signal });
        if (error.code === ProviderErrorCode.Aborted || signal.aborted) return { head, error };
        lastError = error;
      }
    }
    return { head, error: lastError ?? new ProviderError('none', ProviderErrorCode.Unknown, 'No provider route to try') };
  });
}

// How a stream started: the events to yield first, then either the stream to go on with (its
// errors mapped by `toError`), an error to throw, or the end.
export interface StreamStart<T> {
  head: T[];
  rest?: AsyncIterator<T>;
  toError?: (err: unknown) => Error;
  error?: Error;
}

// A stream whose first next() runs `start` (which may retry, fall back, or fail), yields its head,
// and then hands every next() straight to the stream it found: once past the first event, no
// generator sits between a reply and its vendor's stream (each one cost every token a few
// promise jobs).
export function startedStream<T>(start: () => Promise<StreamStart<T>>): AsyncIterableIterator<T> {
  let started: Promise<StreamStart<T>> | undefined;
  let state: StreamStart<T> | undefined;
  let closed = false;
  const fromRest = (s: StreamStart<T>): Promise<IteratorResult<T>> => {
    if (closed) return Promise.resolve({ value: undefined, done: true });
    if (s.head.length > 0) return Promise.resolve({ value: s.head.shift()!, done: false });
    if (s.error) {
      const error = s.error;
      s.error = undefined;
      closed = true;
      return Promise.reject(error);
    }
    if (!s.rest) return Promise.resolve({ value: undefined, done: true });
    const next = s.rest.next();
    return s.toError ? next.catch((err: unknown) => Promise.reject(s.toError!(err))) : next;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (state) return fromRest(state);
      started ??= start();
      return started.then((s) => fromRest((state = s)));
    },
    async return(value?: unknown) {
      closed = true;
      const s = state ?? (started ? await started.catch(() => undefined) : undefined);
      await s?.rest?.return?.(value);
      return { value: undefined, done: true };
    },
  };
}
