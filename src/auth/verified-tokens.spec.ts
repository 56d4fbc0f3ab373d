import { describe, it } from 'node:test';
import { expect } from 'expect';
import { VerifiedTokens } from './verified-tokens.js';

describe('VerifiedTokens', () => {
  it('remembers a verified token until its expiry second', () => {
    let now = 1_000;
    const tokens = new VerifiedTokens<{ exp: number; sub: string }>(10, () => now);
    tokens.add('t1', { exp: 1_010, sub: 'u1' });
    expect(tokens.get('t1')?.sub).toBe('u1');
    expect(tokens.get('other')).toBeUndefined();
    now = 1_009;
    expect(tokens.get('t1')?.sub).toBe('u1');
    now = 1_010;
    expect(tokens.get('t1')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const tokens = new VerifiedTokens<{ exp: number }>(2, () => 0);
    for (const t of ['a', 'b', 'c']) tokens.add(t, { exp: 10 });
    expect(['a', 'b', 'c'].map((t) => tokens.get(t) !== undefined)).toEqual([false, true, true]);
  });
});
