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
  // Caps our backoff; a vendor asking to wait longer than this is not retried (the next
  // fallback answers, or the error, with its retry-after, ends the reply).
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

// Full jitter on an exponential backoff; a vendor's retry-after is honoured, or null when it is
// longer than the cap: retrying sooner than asked would only be refused again.
export function retryDelay(attempt: number, error: ProviderError, policy: RetryPolicy): number | null {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxDelayMs ? error.retryAfterMs : null;
  const random = policy.random ?? Math.random;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// Streams one route, retrying transient failures only while nothing has been yielded: once a
// client has seen part of a reply, a retry would duplicate it, so a later error ends the stream.
export async function* streamWithRetries(
  provider: string,
  open: () => AsyncIterable<ProviderEvent>,
  policy: RetryPolicy,
  signal: AbortSignal,
): AsyncGenerator<ProviderEvent> {
  const sleep = policy.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    let yielded = false;
    try {
      for await (const event of open()) {
        yielded = true;
        yield event;
      }
      return;
    } catch (err) {
      const error = toProviderError(provider, err, { signal });
      if (yielded || !error.retryable || attempt >= policy.maxRetries || signal.aborted) throw error;
      const delay = retryDelay(attempt, error, policy);
      if (delay === null) throw error;
      try {
        await sleep(delay, signal);
      } catch (sleepError) {
        throw toProviderError(provider, sleepError, { signal });
      }
    }
  }
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
      const delay = retryDelay(attempt, error, policy);
      if (delay === null) throw error;
      try {
        await sleep(delay, signal);
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
export async function* streamWithFallbacks(
  candidates: readonly RouteCandidate[],
  policy: RetryPolicy,
  signal: AbortSignal,
): AsyncGenerator<RoutedEvent> {
  let lastError: ProviderError | undefined;
  for (const candidate of candidates) {
    const { provider, model } = candidate.route;
    yield { type: 'route', provider, model };
    let yielded = false;
    try {
      for await (const event of streamWithRetries(provider, candidate.open, policy, signal)) {
        yielded = true;
        yield event;
      }
      return;
    } catch (err) {
      const error = toProviderError(provider, err, { signal });
      if (yielded || error.code === ProviderErrorCode.Aborted || signal.aborted) throw error;
      lastError = error;
    }
  }
  throw lastError ?? new ProviderError('none', ProviderErrorCode.Unknown, 'No provider route to try');
}
