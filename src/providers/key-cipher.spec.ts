import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { KeyCipher } from './key-cipher.js';

const cipher = new KeyCipher(new Map([[1, randomBytes(32)]]), 1);

describe('KeyCipher', () => {
  it('round-trips, with a fresh IV every time', () => {
    const a = cipher.seal('sk-secret-value', 'user-1:openai');
    const b = cipher.seal('sk-secret-value', 'user-1:openai');
    expect(a.iv).toHaveLength(12);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.toString('utf8')).not.toContain('sk-secret');
    expect(a.keyVersion).toBe(1);
    expect(cipher.open(a, 'user-1:openai')).toBe('sk-secret-value');
  });

  it('detects tampering with the ciphertext, the tag, or the row it belongs to', () => {
    const sealed = cipher.seal('sk-secret-value', 'user-1:openai');
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0] ^= 1;
    expect(() => cipher.open({ ...sealed, ciphertext: flipped }, 'user-1:openai')).toThrow();
    expect(() => cipher.open({ ...sealed, authTag: randomBytes(16) }, 'user-1:openai')).toThrow();
    expect(() => cipher.open(sealed, 'user-2:openai')).toThrow();
  });

  it('opens rows sealed under an older key version, and refuses unknown versions', () => {
    const oldKey = randomBytes(32);
    const sealed = new KeyCipher(new Map([[1, oldKey]]), 1).seal('k', 'ad');
    const rotated = new KeyCipher(new Map([[1, oldKey], [2, randomBytes(32)]]), 2);
    expect(rotated.open(sealed, 'ad')).toBe('k');
    expect(rotated.seal('k', 'ad').keyVersion).toBe(2);
    expect(() => cipher.open({ ...sealed, keyVersion: 9 }, 'ad')).toThrow(/version 9/);
  });
});
