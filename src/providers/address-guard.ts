import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { createHttpFetch } from './http-fetch.js';
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

// The fetch given to the SDKs for a user-supplied base URL: every connection goes to an address
// checkedLookup approved, and a redirect (which could point anywhere) is an error.
export function createGuardedFetch(options: { allowPrivate: boolean }): typeof fetch {
  return createHttpFetch({
    redirectError: (message) => new UnsafeAddressError(message),
    ...(options.allowPrivate
      ? {}
      : {
          lookup: checkedLookup,
          checkUrl: (url) => {
            const host = hostOf(url);
            if (isIP(host) && !isPublicAddress(host)) throw new UnsafeAddressError(`${host} is not a public address`);
          },
        }),
  });
}
