import { describe, it } from 'node:test';
import { expect } from 'expect';
import { CredentialCache } from './credential-cache.js';

describe('CredentialCache', () => {
  const entry = (userId: string, groupId: string, value: string) => ({ userId, groupId, value });

  it('answers from memory until the TTL or a credential expiry, whichever is first', () => {
    let now = 0;
    const cache = new CredentialCache<string>(5_000, 100, () => now);
    cache.set(cache.begin(), 'jti-1', entry('u1', 'f1', 'ok'));
    cache.set(cache.begin(), 'key-1', entry('u1', 'k1', 'ok'), 2_000);
    now = 1_999;
    expect(cache.get('jti-1')?.value).toBe('ok');
    expect(cache.get('key-1')?.value).toBe('ok');
    now = 2_000;
    expect(cache.get('key-1')).toBeUndefined();
    now = 5_000;
    expect(cache.get('jti-1')).toBeUndefined();
  });

  it('drops by key, by group and by user', () => {
    const cache = new CredentialCache<string>(60_000);
    const fill = () => {
      cache.set(cache.begin(), 'a', entry('u1', 'f1', 'a'));
      cache.set(cache.begin(), 'b', entry('u1', 'f2', 'b'));
      cache.set(cache.begin(), 'c', entry('u2', 'f3', 'c'));
    };
    fill();
    cache.dropKey('a');
    expect(['a', 'b', 'c'].map((k) => cache.get(k)?.value)).toEqual([undefined, 'b', 'c']);
    cache.dropGroup('f3');
    expect(['a', 'b', 'c'].map((k) => cache.get(k)?.value)).toEqual([undefined, 'b', undefined]);
    fill();
    cache.dropUser('u1');
    expect(['a', 'b', 'c'].map((k) => cache.get(k)?.value)).toEqual([undefined, undefined, 'c']);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('does not keep an answer read while something was dropped', () => {
    const cache = new CredentialCache<string>(60_000);
    const epoch = cache.begin();
    // A revocation lands while the check is reading the old state...
    cache.dropGroup('f1');
    cache.set(epoch, 'a', entry('u1', 'f1', 'stale'));
    // ...so that answer is not remembered; the next check's is.
    expect(cache.get('a')).toBeUndefined();
    cache.set(cache.begin(), 'a', entry('u1', 'f1', 'fresh'));
    expect(cache.get('a')?.value).toBe('fresh');
  });

  it('keeps nothing with a TTL of 0, and evicts the oldest when full', () => {
    const off = new CredentialCache<string>(0);
    off.set(off.begin(), 'a', entry('u1', 'f1', 'a'));
    expect(off.get('a')).toBeUndefined();

    const small = new CredentialCache<string>(60_000, 2);
    for (const k of ['a', 'b', 'c']) small.set(small.begin(), k, entry('u1', k, k));
    expect(['a', 'b', 'c'].map((k) => small.get(k)?.value)).toEqual([undefined, 'b', 'c']);
  });
});
