import { describe, it } from 'node:test';
import { expect } from 'expect';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

const ID = '0190c3f0-0000-7000-8000-000000000001';

describe('cursor pagination', () => {
  it('round-trips a key and rejects tampered cursors', () => {
    const cursor = encodeCursor({ id: ID });
    expect(decodeCursor(cursor, { id: 'uuid' })).toEqual({ id: ID });
    expect(decodeCursor(undefined, { id: 'uuid' })).toBeUndefined();
    expect(() => decodeCursor('not base64 json', { id: 'uuid' })).toThrow('cursor is not valid');
    expect(() => decodeCursor(encodeCursor({ other: 'x' }), { id: 'uuid' })).toThrow('cursor is not valid');
  });

  it('checks what each field holds, so a tampered value never reaches a query', () => {
    const at = '2026-12-02T20:10:11.123Z';
    expect(decodeCursor(encodeCursor({ createdAt: at, id: ID }), { createdAt: 'timestamp', id: 'uuid' })).toEqual({ createdAt: at, id: ID });
    expect(decodeCursor(encodeCursor({ rank: '0.0607927', id: ID }), { rank: 'number', id: 'uuid' })).toEqual({ rank: '0.0607927', id: ID });
    for (const bad of [
      { createdAt: 'garbage', id: ID },
      { createdAt: '2026-13-45T99:99:99Z', id: ID },
      { createdAt: at, id: 'x' },
      { createdAt: at, id: 7 },
    ]) {
      expect(() => decodeCursor(encodeCursor(bad as Record<string, string>), { createdAt: 'timestamp', id: 'uuid' })).toThrow('cursor is not valid');
    }
    expect(() => decodeCursor(encodeCursor({ rank: 'NaN', id: ID }), { rank: 'number', id: 'uuid' })).toThrow('cursor is not valid');
    expect(() => decodeCursor(encodeCursor({ rank: '', id: ID }), { rank: 'number', id: 'uuid' })).toThrow('cursor is not valid');
  });

  it('uses the extra row only to tell that another page exists', () => {
    const ids = ['a', 'b', 'c'].map((c) => `0190c3f0-0000-7000-8000-00000000000${c}`);
    const rows = ids.map((id) => ({ id }));
    const page = toPage(rows, 2, (r) => r.id, (r) => ({ id: r.id }));
    expect(page.data).toEqual(ids.slice(0, 2));
    expect(decodeCursor(page.nextCursor!, { id: 'uuid' })).toEqual({ id: ids[1] });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.id, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
