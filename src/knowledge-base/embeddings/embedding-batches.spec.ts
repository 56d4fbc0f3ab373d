import { describe, it } from 'node:test';
import { expect } from 'expect';
import { batchTexts } from './embedding-batches.js';

// One token per character keeps the expectations readable.
const length = (text: string) => text.length;

describe('batchTexts', () => {
  it('keeps every batch within the input and token limits, in order, covering each text once', () => {
    const texts = Array.from({ length: 50 }, (_, i) => 'x'.repeat(1 + ((i * 37) % 20)));
    for (const limits of [{ maxInputs: 4, maxTokens: 1000 }, { maxInputs: 100, maxTokens: 45 }, { maxInputs: 3, maxTokens: 30 }]) {
      const batches = batchTexts(texts, limits, length);
      expect(batches.flat()).toEqual(texts.map((_, i) => i));
      for (const batch of batches) {
        expect(batch.length).toBeGreaterThan(0);
        expect(batch.length).toBeLessThanOrEqual(limits.maxInputs);
        expect(batch.reduce((sum, i) => sum + texts[i].length, 0)).toBeLessThanOrEqual(limits.maxTokens);
      }
    }
  });

  it('fills batches greedily up to the limits', () => {
    expect(batchTexts(['aa', 'bb', 'cc', 'dd', 'e'], { maxInputs: 10, maxTokens: 4 }, length)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchTexts(['a', 'b', 'c', 'd', 'e'], { maxInputs: 2, maxTokens: 100 }, length)).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchTexts(['aaa', 'bb', 'c'], { maxInputs: 10, maxTokens: 5 }, length)).toEqual([[0, 1], [2]]);
  });

  it('puts a text over the token limit alone in its batch', () => {
    expect(batchTexts(['a', 'bbbbbbbbbb', 'c', 'd', 'eeeeeeeeeeee'], { maxInputs: 10, maxTokens: 5 }, length)).toEqual([
      [0],
      [1],
      [2, 3],
      [4],
    ]);
  });

  it('counts each text once and returns no batch for no texts', () => {
    const counted: string[] = [];
    const count = (text: string) => {
      counted.push(text);
      return text.length;
    };
    batchTexts(['a', 'bb', 'ccc'], { maxInputs: 2, maxTokens: 3 }, count);
    expect(counted).toEqual(['a', 'bb', 'ccc']);
    expect(batchTexts([], { maxInputs: 2, maxTokens: 3 }, length)).toEqual([]);
  });

  it('rejects limits that are not positive integers', () => {
    for (const limits of [{ maxInputs: 0, maxTokens: 10 }, { maxInputs: 2, maxTokens: 0 }, { maxInputs: 1.5, maxTokens: 10 }]) {
      expect(() => batchTexts(['a'], limits, length)).toThrow(RangeError);
    }
  });
});
