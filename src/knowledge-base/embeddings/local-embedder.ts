// The offline default embedding model `local`: a LEXICAL feature-hashing embedder, not a neural
// model. Texts come out close when they share (stemmed) words; it knows nothing about meaning, so
// synonyms and paraphrases with different words do not match. It needs no download, no GPU and no
// network, and is deterministic: the same text always gives the same vector, on any machine.
//
// Tokens: NFKD without combining marks (diacritics), lowercased, runs of letters and digits,
// minus English stopwords, reduced by the Porter stemmer ("indexing", "indexed" and "indexes" are
// all "index"). Each distinct stem is one feature weighted by √tf. A feature's FNV-1a hash picks
// its dimension and, mixed again, its sign (signed hashing keeps collisions unbiased). Vectors are
// L2-normalised, ready for cosine distance.
//
// Only words, on purpose: word pairs and character trigrams (an earlier design) are shared by most
// texts, which made every distance alike (nearest neighbours barely closer than the rest), so an
// HNSW index missed many true neighbours, and they did not find a question's passage more often.
// The knowledge-base benchmark (test/bench/knowledge.ts) measures both.

import { stemmer } from 'stemmer';

export const LOCAL_EMBEDDING_MODEL = 'hashing-v1';
export const LOCAL_DEFAULT_DIMENSIONS = 384;
export const LOCAL_MIN_DIMENSIONS = 64;
export const LOCAL_MAX_DIMENSIONS = 2048;

const WORD_SEED = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SIGN_SALT = 0x9e3779b9;

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
const NON_ASCII = /[\u0080-\uffff]/;
// Function words, auxiliaries and question words: in nearly every text, so they only add noise.
const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers him ' +
    'himself his how i if in into is it its itself just may me might more most must my myself no nor not now of off on ' +
    'once one only or other ought our ours ourselves out over own same shall she should so some such than that the ' +
    'their theirs them themselves then there these they this those through to too under until up us very was we were ' +
    'what when where which while who whom why will with would you your yours yourself yourselves'
  ).split(' '),
);

// Stemming is the slow step and words repeat: stems are memoised, in a bounded cache.
const STEM_CACHE_LIMIT = 100_000;
const stems = new Map<string, string>();

export function embedLocal(texts: string[], dimensions: number): number[][] {
  if (!Number.isInteger(dimensions) || dimensions < LOCAL_MIN_DIMENSIONS || dimensions > LOCAL_MAX_DIMENSIONS) {
    throw new RangeError(`Local embedding dimensions must be an integer from ${LOCAL_MIN_DIMENSIONS} to ${LOCAL_MAX_DIMENSIONS}`);
  }
  const frequencies = new Map<number, number>();
  return texts.map((text) => {
    frequencies.clear();
    countWords(text, frequencies);
    return toVector(frequencies, dimensions);
  });
}

// Counts each stem (by its hash) of one text.
function countWords(text: string, frequencies: Map<number, number>): void {
  const normalised = (NON_ASCII.test(text) ? text.normalize('NFKD').replace(MARKS, '') : text).toLowerCase();
  for (const [word] of normalised.matchAll(WORD)) {
    if (STOPWORDS.has(word)) continue;
    const key = fnv(WORD_SEED, stem(word));
    frequencies.set(key, (frequencies.get(key) ?? 0) + 1);
  }
}

function stem(word: string): string {
  let result = stems.get(word);
  if (result === undefined) {
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    result = stemmer(word);
    stems.set(word, result);
  }
  return result;
}

function toVector(frequencies: Map<number, number>, dimensions: number): number[] {
  const vector = new Float64Array(dimensions);
  for (const [key, tf] of frequencies) {
    const index = fmix32(key) % dimensions;
    const sign = fmix32(key ^ SIGN_SALT) & 1 ? -1 : 1;
    vector[index] += sign * Math.sqrt(tf);
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  // pgvector's cosine distance is NaN for a zero vector: a text with no words gets a fixed unit one.
  if (norm === 0) {
    vector[0] = 1;
    norm = 1;
  }
  return Array.from(vector, (value) => value / norm);
}

function fnv(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

// MurmurHash3's finaliser: spreads FNV's weak low bits over the whole word. Unsigned result.
function fmix32(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
