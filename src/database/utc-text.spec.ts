import { describe, it } from 'node:test';
import { expect } from 'expect';
import { isoFromUtcText } from './utc-text.js';

describe('isoFromUtcText', () => {
  it('formats like Date#toISOString, truncating to milliseconds', () => {
    expect(isoFromUtcText('2026-12-01 19:58:20.123456')).toBe('2026-12-01T19:58:20.123Z');
    expect(isoFromUtcText('2026-12-01 19:58:20.123')).toBe('2026-12-01T19:58:20.123Z');
    expect(isoFromUtcText('2026-12-01 19:58:20.1')).toBe('2026-12-01T19:58:20.100Z');
    expect(isoFromUtcText('2026-12-01 19:58:20.0999')).toBe('2026-12-01T19:58:20.099Z');
    expect(isoFromUtcText('2026-12-01 19:58:20')).toBe('2026-12-01T19:58:20.000Z');
  });

  it('agrees with the Date node-pg would build', () => {
    const text = '2024-02-29 23:59:59.999999';
    expect(isoFromUtcText(text)).toBe(new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999.999)).toISOString());
  });
});
