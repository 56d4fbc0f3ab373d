import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { UnsafeAddressError } from './provider-error.js';

// The fetch every vendor SDK is given, on node:http/https with keep-alive agents, for two reasons:
// - Node 20's global fetch (undici bundled, not importable) takes no DNS lookup hook, so it
//   cannot check the address a user-supplied base URL connects to (see address-guard.ts).
// - It is cheaper (C++ HTTP parser, no WHATWG Request or web stream in between): less CPU per
//   streamed token and an earlier first token (`npm run bench`, `read` and `ttft`).
//   chatCompletionChunks reads the body as the Node stream it is (nodeBodyOf); anything else
//   reads the web body, which is only made when someone reads it.
// Redirects are never followed (for a user's URL a 3xx could point anywhere; vendor APIs do not
// redirect), and bodies are requested uncompressed.
export interface HttpFetchOptions {
  // Resolves and checks the address of every connection.
  lookup?: LookupFunction;
  // Refuses a URL before anything is sent.
  checkUrl?: (url: URL) => void;
  // The error for a redirect; a plain Error otherwise.
  redirectError?: (message: string) => Error;
}

interface NodeBody {
  res: IncomingMessage;
  readAs?: 'node' | 'web';
}

const nodeBodies = new WeakMap<Response, NodeBody>();

// The response's body as the Node stream it came in, when this module made the response and no
// one has read its web body; taking it means the web body is never read.
export function nodeBodyOf(response: Response): IncomingMessage | undefined {
  const body = nodeBodies.get(response);
  if (!body || body.readAs === 'web') return undefined;
  body.readAs = 'node';
  return body.res;
}

export function createHttpFetch(options: HttpFetchOptions = {}): typeof fetch {
  // Idle sockets are closed after 4 s (as undici does), before servers usually drop them.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 4_000 }),
    'https:': new https.Agent({ keepAlive: true, timeout: 4_000 }),
  };
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const { url, method, headers, body, signal } = await requestParts(input, init);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeAddressError('Only http(s) base URLs are allowed');
    options.checkUrl?.(url);
    headers['accept-encoding'] = 'identity';
    if (body) headers['content-length'] = String(body.length);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          ...(signal ? { signal } : {}),
          ...(options.lookup ? { lookup: options.lookup } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 502;
          // (A Response cannot carry these; thrown here it would escape into the event loop.)
          if (status < 200 || status > 599) {
            res.destroy();
            return reject(new Error(`The provider answered with HTTP status ${status}`));
          }
          if (status >= 300 && status < 400) {
            res.destroy();
            const message = `The provider answered with a redirect (${status}), which is not followed`;
            return reject(options.redirectError?.(message) ?? new Error(message));
          }
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const empty = status === 204 || status === 304 || method === 'HEAD';
          if (empty) res.resume();
          // A failure before anyone reads is seen by whoever reads; unheard, it would crash.
          res.on('error', () => undefined);
          // As with fetch, an abort fails the body's reads with the signal's reason.
          if (signal) {
            const onAbort = () => res.destroy(abortReason(signal));
            signal.addEventListener('abort', onAbort, { once: true });
            res.once('close', () => signal.removeEventListener('abort', onAbort));
          }
          const nodeBody: NodeBody = { res };
          const response = new Response(empty ? null : lazyWebBody(nodeBody), {
            status,
            statusText: res.statusMessage,
            headers: responseHeaders,
          });
          if (!empty) nodeBodies.set(response, nodeBody);
          resolve(response);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

// The SDKs pass a URL string and an init with a string body; anything else goes through Request.
async function requestParts(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<{ url: URL; method: string; headers: Record<string, string>; body?: Buffer; signal?: AbortSignal }> {
  if (!(input instanceof Request) && (init?.body === undefined || init.body === null || typeof init.body === 'string')) {
    return {
      url: new URL(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers)),
      body: typeof init?.body === 'string' ? Buffer.from(init.body) : undefined,
      signal: init?.signal ?? undefined,
    };
  }
  const request = input instanceof Request && !init ? input : new Request(input, init);
  return {
    url: new URL(request.url),
    method: request.method,
    headers: Object.fromEntries(request.headers),
    body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    // A Request's signal follows the one it was made with only through a weak reference: after
    // a garbage collection an abort of the caller's signal would no longer reach the socket.
    signal: init?.signal ?? request.signal,
  };
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

// Made from the Node stream on the first read only, so that a body read as a Node stream
// (nodeBodyOf) is not also copied into a web stream.
function lazyWebBody(body: NodeBody): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          if (body.readAs === 'node') throw new TypeError('This body is being read as a Node stream');
          body.readAs = 'web';
          reader = (Readable.toWeb(body.res) as ReadableStream<Uint8Array>).getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        body.res.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
