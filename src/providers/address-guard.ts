import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { UnsafeAddressError } from './provider-error.js';

// Only ordinary public unicast: no private, loopback, link-local (cloud metadata), CGNAT,
// multicast, unspecified, reserved, or IPv6 forms that embed an IPv4 address (6to4, NAT64...).
// ipaddr.process() unwraps ::ffff:a.b.c.d so mapped loopback is seen as loopback.
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

// Checked when a user stores a base URL: every address the name resolves to must be public.
export async function assertPublicUrl(raw: string): Promise<void> {
  const url = new URL(raw);
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : (await dnsLookupAsync(host, { all: true })).map((a) => a.address);
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (bad !== undefined || addresses.length === 0) {
    throw new UnsafeAddressError(`${host} resolves to a non-public address`);
  }
}

// A lookup that refuses the connection when any resolved address is not public. The socket
// then connects to exactly the address that was checked, so DNS rebinding between a check and
// the connection is impossible.
export const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || addresses.length === 0) {
      return callback(new UnsafeAddressError(`${hostname} resolves to a non-public address`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};

// The fetch given to the SDKs for a user-supplied base URL. Node 20's global fetch (undici
// bundled, not importable) cannot take a DNS lookup hook, so a check before calling it would
// leave a rebinding window. Instead this implements the small part of fetch the SDKs use on
// node:http/https, whose agents accept `lookup`. Redirects are never followed: a 3xx could
// point anywhere, so it is an error. Bodies are requested uncompressed (no zlib here).
export function createGuardedFetch(options: { allowPrivate: boolean }): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeAddressError('Only http(s) base URLs are allowed');
    const host = hostOf(url);
    if (!options.allowPrivate && isIP(host) && !isPublicAddress(host)) {
      throw new UnsafeAddressError(`${host} is not a public address`);
    }
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    headers['accept-encoding'] = 'identity';
    if (body) headers['content-length'] = String(body.length);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method: request.method,
          headers,
          signal: request.signal,
          ...(options.allowPrivate ? {} : { lookup: checkedLookup }),
        },
        (res) => {
          const status = res.statusCode ?? 502;
          if (status >= 300 && status < 400) {
            res.destroy();
            return reject(new UnsafeAddressError(`The provider answered with a redirect (${status}), which is not followed`));
          }
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const empty = status === 204 || status === 304 || request.method === 'HEAD';
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}
