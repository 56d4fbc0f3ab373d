import { describe, it } from 'node:test';
import { expect } from 'expect';
import { assertPublicUrl, createGuardedFetch, isPublicAddress } from './address-guard.js';
import { UnsafeAddressError } from './provider-error.js';

describe('address guard', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast, unspecified and mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '::1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      'not-an-ip',
    ]) {
      expect([address, isPublicAddress(address)]).toEqual([address, false]);
    }
  });

  it('accepts public addresses', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect([address, isPublicAddress(address)]).toEqual([address, true]);
    }
  });

  it('checks literal and resolved hosts of a URL', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:8080/v1')).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(assertPublicUrl('http://[::1]/v1')).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(assertPublicUrl('http://169.254.169.254/latest')).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(assertPublicUrl('http://localhost:1234/v1')).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(assertPublicUrl('https://8.8.8.8/v1')).resolves.toBeUndefined();
  });

  it('the guarded fetch refuses to connect to a private address, by literal or by name', async () => {
    const guarded = createGuardedFetch({ allowPrivate: false });
    await expect(guarded('http://127.0.0.1:9/v1/models')).rejects.toBeInstanceOf(UnsafeAddressError);
    await expect(guarded('http://localhost:9/v1/models')).rejects.toMatchObject({ message: expect.stringMatching(/non-public/) });
  });
});
