import { describe, it } from 'node:test';
import { expect } from 'expect';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('shares one lookup per key until it expires', async () => {
    let clock = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1_000, 10, () => clock);
    const load = () => Promise.resolve(++loads);
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('a', load)).toBe(1);
    clock = 999;
    expect(await cache.get('a', load)).toBe(1);
    clock = 1_000;
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('forgets a key on delete, even while its lookup is in flight', async () => {
    const cache = new TtlCache<string>(1_000, 10, () => 0);
    let release!: (v: string) => void;
    const slow = cache.get('a', () => new Promise((r) => (release = r)));
    cache.delete('a');
    release('old');
    expect(await slow).toBe('old');
    expect(await cache.get('a', () => Promise.resolve('new'))).toBe('new');
  });

  it('does not keep failed lookups, and drops the oldest entry past its size', async () => {
    const cache = new TtlCache<string>(1_000, 2, () => 0);
    await expect(cache.get('a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('a', () => Promise.resolve('up'))).toBe('up');
    await cache.get('b', () => Promise.resolve('b'));
    await cache.get('c', () => Promise.resolve('c'));
    expect(await cache.get('a', () => Promise.resolve('reloaded'))).toBe('reloaded');
  });
});
