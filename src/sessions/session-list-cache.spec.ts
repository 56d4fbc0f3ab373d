import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionListCache } from './session-list-cache.js';

const page = (body: string, version = '1') => ({ version, body });

describe('SessionListCache', () => {
  it('returns what was stored and replaces an entry under the same key', () => {
    const cache = new SessionListCache(10_000);
    cache.set('a', page('[1]'));
    cache.set('a', page('[2]', '2'));
    assert.deepEqual(cache.get('a'), page('[2]', '2'));
    assert.equal(cache.size, 1);
    assert.equal(cache.get('b'), undefined);
  });

  it('evicts the least recently used entries once over its byte budget', () => {
    const body = 'x'.repeat(100);
    // Room for two entries of this size, not three.
    const cache = new SessionListCache(2 * (2 * (1 + 1 + 100) + 128) + 10);
    cache.set('a', page(body));
    cache.set('b', page(body));
    assert.ok(cache.get('a'));
    cache.set('c', page(body));
    assert.equal(cache.get('b'), undefined, 'b was the least recently used');
    assert.ok(cache.get('a'));
    assert.ok(cache.get('c'));
    assert.ok(cache.sizeBytes <= 2 * (2 * (1 + 1 + 100) + 128) + 10);
  });

  it('keeps its byte count exact through replacements and deletions', () => {
    const cache = new SessionListCache(1_000_000);
    cache.set('a', page('x'.repeat(10)));
    cache.set('a', page('x'.repeat(50)));
    cache.set('b', page('y'));
    cache.delete('a');
    cache.delete('missing');
    cache.delete('b');
    assert.equal(cache.sizeBytes, 0);
    assert.equal(cache.size, 0);
  });

  it('does not store a page larger than the whole budget', () => {
    const cache = new SessionListCache(100);
    cache.set('a', page('x'.repeat(1000)));
    assert.equal(cache.size, 0);
    assert.equal(cache.sizeBytes, 0);
  });
});
