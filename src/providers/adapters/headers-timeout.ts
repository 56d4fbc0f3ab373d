import { linkedController } from './adapter-options.js';

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
    // Still linked once the headers are in: the caller's abort must reach the streaming body.
    const link = linkedController(init?.signal ?? (input instanceof Request ? input.signal : undefined));
    const timer = setTimeout(() => link.controller.abort(new HeadersTimeoutError(timeoutMs)), timeoutMs);
    try {
      return await fetch(input, { ...init, signal: link.controller.signal });
    } catch (err) {
      const reason: unknown = link.controller.signal.reason;
      link.dispose();
      // Not the AbortError the aborted request fails with, which would read as our own abort.
      throw reason instanceof HeadersTimeoutError ? reason : err;
    } finally {
      clearTimeout(timer);
    }
  };
}
