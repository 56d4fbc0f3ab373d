import { describe, it } from 'node:test';
import { expect } from 'expect';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

describe('cursor pagination', () => {
  it('round-trips a key and rejects tampered cursors', () => {
    const cursor = encodeCursor({ id: 'abc' });
    expect(decodeCursor(cursor, ['id'])).toEqual({ id: 'abc' });
    expect(decodeCursor(undefined, ['id'])).toBeUndefined();
    expect(() => decodeCursor('not base64 json', ['id'])).toThrow('cursor is not valid');
    expect(() => decodeCursor(encodeCursor({ other: 'x' }), ['id'])).toThrow('cursor is not valid');
  });

  it('uses the extra row only to tell that another page exists', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const page = toPage(rows, 2, (r) => r.id, (r) => ({ id: r.id }));
    expect(page.data).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!, ['id'])).toEqual({ id: 'b' });
    expect(toPage(rows.slice(0, 2), 2, (r) => r.id, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
