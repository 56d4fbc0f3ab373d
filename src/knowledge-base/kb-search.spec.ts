import { describe, it } from 'node:test';
import { expect } from 'expect';
import type { ChunkHit } from './chunks.repository.js';
import { fuse } from './kb-search.service.js';
import { describeLocation } from './knowledge-retrieval.service.js';

const hit = (chunkId: string, score = 0): ChunkHit => ({ chunkId, documentId: 'd', text: chunkId, tokenCount: 1, location: {}, score });

describe('reciprocal rank fusion', () => {
  it('ranks a chunk both lists found above chunks only one found, whatever their own scores', () => {
    const fused = fuse([
      [hit('a', 0.9), hit('b', 0.8), hit('c', 0.7)],
      [hit('x', 12), hit('c', 3)],
    ]);
    expect(fused.map((h) => h.chunkId)).toEqual(['c', 'a', 'x', 'b']);
    expect(fused[0].score).toBeCloseTo(1 / 63 + 1 / 62, 10);
    expect(fused[1].score).toBeCloseTo(1 / 61, 10);
  });

  it('breaks ties by chunk id so results are stable, and handles empty lists', () => {
    expect(fuse([[hit('b')], [hit('a')]]).map((h) => h.chunkId)).toEqual(['a', 'b']);
    expect(fuse([[], []])).toEqual([]);
  });
});

describe('citation locations', () => {
  it('reads as a short label for the prompt', () => {
    expect(describeLocation({ page: 2 })).toBe('page 2');
    expect(describeLocation({ sheet: 'Q3', rows: [2, 51] })).toBe('sheet Q3, rows 2-51');
    expect(describeLocation({ headingPath: ['Guide', 'Install'] })).toBe('Guide > Install');
    expect(describeLocation({ chapter: 'One', headingPath: ['Intro'] })).toBe('One, Intro');
    expect(describeLocation({ lines: [1, 80] })).toBe('lines 1-80');
    expect(describeLocation({})).toBe('');
  });
});
