import { describe, it } from 'node:test';
import { expect } from 'expect';
import { embedLocal, LOCAL_DEFAULT_DIMENSIONS } from './local-embedder.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i], 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));

describe('embedLocal', () => {
  it('gives the same vector for the same text, in any batch', () => {
    const text = 'The ingestion job re-delivers a document and must index the same vectors.';
    const [alone] = embedLocal([text], LOCAL_DEFAULT_DIMENSIONS);
    const batch = embedLocal(['something else first', text, text], LOCAL_DEFAULT_DIMENSIONS);
    expect(batch[1]).toEqual(alone);
    expect(batch[2]).toEqual(alone);
  });

  it('keeps hashing-v1 stable: stored vectors depend on it (a change needs a new model id)', () => {
    const [vector] = embedLocal(['Pinned: the hashing of model hashing-v1 must never change.'], 64);
    const pinned = '24:0.333333 28:-0.333333 50:-0.333333 55:-0.666667 59:0.471405';
    const actual = vector.flatMap((value, i) => (value === 0 ? [] : [`${i}:${value.toFixed(6)}`])).join(' ');
    expect(actual).toBe(pinned);
  });

  it('returns unit vectors of the asked dimensions', () => {
    for (const dimensions of [64, 384, 1536, 2048]) {
      const vectors = embedLocal(['short', 'a somewhat longer text about vector search in PostgreSQL'], dimensions);
      for (const vector of vectors) {
        expect(vector).toHaveLength(dimensions);
        expect(norm(vector)).toBeCloseTo(1, 10);
        expect(vector.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('puts a text closer to a rewording that shares words than to an unrelated text', () => {
    const [text, rewording, unrelated] = embedLocal(
      [
        'How do I reset my account password after the reset email expired?',
        'Resetting an expired password: request a new account reset email.',
        'The orchestra tuned their violins before the evening concert began.',
      ],
      LOCAL_DEFAULT_DIMENSIONS,
    );
    expect(cosine(text, rewording)).toBeGreaterThan(0.3);
    expect(cosine(text, rewording)).toBeGreaterThan(cosine(text, unrelated) + 0.2);
  });

  it('matches inflections through stemming and accents through folding', () => {
    const [query, inflected, partly, unrelated, accented, other] = embedLocal(
      ['indexing documents', 'indexed document', 'the indexes of a weather forecast', 'weather forecast', 'Café résumé', 'cafe resume'],
      256,
    );
    // No word in common, the same stems.
    expect(cosine(query, inflected)).toBeCloseTo(1, 10);
    expect(cosine(query, partly)).toBeGreaterThan(0.3);
    expect(cosine(query, partly)).toBeGreaterThan(cosine(query, unrelated) + 0.3);
    expect(cosine(accented, other)).toBeCloseTo(1, 10);
  });

  it('ignores case, punctuation and stopwords', () => {
    const [a, b] = embedLocal(['The Quick, brown FOX!', 'quick brown fox'], 128);
    expect(cosine(a, b)).toBeCloseTo(1, 10);
  });

  it('gives a fixed unit vector to a text with no words, never a zero vector', () => {
    const vectors = embedLocal(['', '   ', '!!! ---', 'the of and'], 64);
    for (const vector of vectors) expect(vector).toEqual([1, ...new Array<number>(63).fill(0)]);
    expect(embedLocal([], 64)).toEqual([]);
  });

  it('spreads different texts over the dimensions of any size', () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron sigma tau upsilon omega';
    for (const dimensions of [64, 100, 384, 777]) {
      const [a, b] = embedLocal([words, 'rho chi psi phi nu xi mu pi'], dimensions);
      expect(Math.abs(cosine(a, b))).toBeLessThan(0.5);
      // One feature per distinct stem: 16 words, few collisions.
      expect(a.filter((value) => value !== 0).length).toBeGreaterThanOrEqual(12);
    }
  });

  it('weighs a repeated word by the square root of its count', () => {
    const [once, twice] = embedLocal(['vector search', 'vector vector search'], 384);
    // (√2 + 1) / √3 / √2
    expect(cosine(once, twice)).toBeCloseTo((Math.SQRT2 + 1) / Math.sqrt(3) / Math.SQRT2, 10);
  });

  it('rejects dimensions outside 64..2048', () => {
    for (const dimensions of [0, 63, 2049, 384.5]) expect(() => embedLocal(['x'], dimensions)).toThrow(RangeError);
  });
});
