// Named as the platform names a timeout, which the SDKs and toProviderError read as TIMEOUT.
export class HeadersTimeoutError extends Error {
  override name = 'TimeoutError';

  constructor(timeoutMs: number) {
    super(`The provider sent no response within ${timeoutMs} ms`);
  }
}

// The deadline the OpenAI and Anthropic SDKs keep, for the SDKs that keep none we can use:
// the vendor must answer (send its response headers) within timeoutMs. It ends with the
// headers, so a long reply streams for as long as it takes.
export function withHeadersTimeout(fetch: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
  return async (input, init) => {
    const outer = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const controller = new AbortController();
    const forward = () => controller.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    const timer = setTimeout(() => controller.abort(new HeadersTimeoutError(timeoutMs)), timeoutMs);
    try {
      return await fetch(input, { ...init, signal: controller.signal });
    } catch (err) {
      outer?.removeEventListener('abort', forward);
      // Not the AbortError the aborted request fails with, which would read as our own abort.
      throw controller.signal.reason instanceof HeadersTimeoutError ? controller.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  };
}
