import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { assertPublicUrl, checkedLookup, isPublicAddress } from '../../providers/address-guard.js';
import { UnsafeAddressError } from '../../providers/provider-error.js';

const MAX_REDIRECTS = 5;

// A fetch that failed; `permanent` when trying again cannot help (4xx, too large).
export class UrlFetchError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface FetchedDocument {
  bytes: Buffer;
  contentType: string;
  // The last path segment of the final URL, for extension-based format detection.
  filename: string;
  finalUrl: string;
}

export interface UrlFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
}

// Refuses what can never be fetched, before a document is queued: other schemes, credentials
// in the URL, and names or addresses that are not public (private, loopback, link-local,
// metadata...). The fetch itself checks again at connect time.
export async function assertFetchableUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeAddressError('url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeAddressError('Only http and https URLs can be fetched');
  if (url.username || url.password) throw new UnsafeAddressError('URLs with credentials are not fetched');
  if (!allowPrivate) {
    try {
      await assertPublicUrl(url.href);
    } catch (err) {
      if (err instanceof UnsafeAddressError) throw err;
      throw new UnsafeAddressError(`${url.hostname} could not be resolved`);
    }
  }
  return url;
}

// GET with the SSRF guard on every hop: the socket connects only to addresses the guarded DNS
// lookup approved (no rebinding window), redirects are followed only to http(s) URLs that pass
// the same check, and the body is cut at maxBytes and the whole exchange at timeoutMs.
export async function fetchDocument(raw: string, options: UrlFetchOptions): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = await assertFetchableUrl(raw, options.allowPrivate);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await get(url, options, signal);
    if (response.kind === 'document') return response.document;
    url = await assertFetchableUrl(new URL(response.location, url).href, options.allowPrivate);
  }
  throw new UnsafeAddressError(`More than ${MAX_REDIRECTS} redirects`);
}

type Hop = { kind: 'redirect'; location: string } | { kind: 'document'; document: FetchedDocument };

function get(url: URL, options: UrlFetchOptions, signal: AbortSignal): Promise<Hop> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) && !isPublicAddress(host)) {
    return Promise.reject(new UnsafeAddressError(`${host} is not a public address`));
  }
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve, reject) => {
    const req = transport.get(
      url,
      {
        signal,
        headers: { 'accept-encoding': 'identity', 'user-agent': 'chatbox-backend/knowledge-base', accept: '*/*' },
        ...(options.allowPrivate ? {} : { lookup: checkedLookup }),
      },
      (res) => {
        const status = res.statusCode ?? 502;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ kind: 'redirect', location: res.headers.location });
        }
        if (status !== 200) {
          res.resume();
          const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
          return reject(new UrlFetchError(`${url.host} answered ${status}`, permanent));
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          res.destroy();
          return reject(tooLarge(options.maxBytes));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) return res.destroy(tooLarge(options.maxBytes));
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const filename = lastSegment(url);
          resolve({
            kind: 'document',
            document: { bytes: Buffer.concat(chunks), contentType: res.headers['content-type'] ?? '', filename, finalUrl: url.href },
          });
        });
      },
    );
    req.on('error', (err) => reject(signal.aborted ? new UrlFetchError(`Fetching ${url.host} took longer than ${options.timeoutMs} ms`, false) : err));
  });
}

function tooLarge(maxBytes: number): Error {
  return new UrlFetchError(`The document is larger than ${maxBytes} bytes (KB_URL_MAX_BYTES)`, true);
}

function lastSegment(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment) || url.hostname;
  } catch {
    return segment || url.hostname;
  }
}
