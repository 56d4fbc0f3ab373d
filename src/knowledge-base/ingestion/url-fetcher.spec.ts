import { describe, it } from 'node:test';
import { expect } from 'expect';
import { UnsafeAddressError } from '../../providers/provider-error.js';
import { assertFetchableUrl } from './url-fetcher.js';

describe('assertFetchableUrl', () => {
  it('refuses other schemes, credentials and non-public addresses', async () => {
    for (const url of [
      'ftp://93.184.216.34/x',
      'file:///etc/passwd',
      'http://user:secret@93.184.216.34/',
      'http://127.0.0.1/',
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://[::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:10.0.0.1]/',
      'http://0.0.0.0/',
      'not a url',
    ]) {
      await expect(assertFetchableUrl(url, false)).rejects.toBeInstanceOf(UnsafeAddressError);
    }
  });

  it('accepts public addresses, and private ones only when allowed', async () => {
    expect((await assertFetchableUrl('https://93.184.216.34/doc.pdf', false)).href).toBe('https://93.184.216.34/doc.pdf');
    expect((await assertFetchableUrl('http://127.0.0.1:8080/x', true)).port).toBe('8080');
  });
});
