import { describe, it } from 'node:test';
import { expect } from 'expect';
import { TurnBatch } from './turn-batch.js';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('TurnBatch', () => {
  it('flushes each item once at the end of the turn it was added in', async () => {
    const flushed: string[] = [];
    const item = (name: string) => ({ flush: () => flushed.push(name) });
    const batch = new TurnBatch(() => undefined);
    const a = item('a');
    batch.add(a);
    batch.add(item('b'));
    batch.add(a);
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual(['a', 'b']);
    batch.add(a);
    await nextTurn();
    expect(flushed).toEqual(['a', 'b', 'a']);
  });

  it('reports a failing flush and still flushes the others', async () => {
    const errors: unknown[] = [];
    const flushed: string[] = [];
    const batch = new TurnBatch((err) => errors.push(err));
    batch.add({ flush: () => { throw new Error('boom'); } });
    batch.add({ flush: () => flushed.push('ok') });
    await nextTurn();
    expect(flushed).toEqual(['ok']);
    expect(errors).toHaveLength(1);
  });
});
