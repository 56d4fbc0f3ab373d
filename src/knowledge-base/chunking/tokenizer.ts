import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

// Chunk sizes are counted in cl100k_base tokens (the encoding of OpenAI's embedding models), as an
// estimate for every embedding vendor. One shared encoder, built on first use. Special-token
// strings such as "<|endoftext|>" in a document are ordinary text here (the default would throw).
let encoder: Tiktoken | undefined;

// Counting is the hot path of chunking, and js-tiktoken's byte-pair merge is slow and uncached.
// BPE never merges across the pre-tokenizer's pieces, so a text's count is the sum of its
// pre-tokens' counts, and those (mostly words) repeat: they are memoised.
const PRE_TOKEN = new RegExp(cl100kBase.pat_str, 'gu');
const CACHE_LIMIT = 100_000;
// The merge is quadratic in a pre-token's length: a longer run (a long word with no spaces) is
// counted in windows of this many characters, which may overcount it by a token or so per window.
const LONG_PRE_TOKEN = 64;
const counts = new Map<string, number>();

function tokenizer(): Tiktoken {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder;
}

export function encodeTokens(text: string): number[] {
  return tokenizer().encode(text, [], []);
}

export function decodeTokens(tokens: number[]): string {
  return tokenizer().decode(tokens);
}

export function countTokens(text: string): number {
  let total = 0;
  for (const [preToken] of text.matchAll(PRE_TOKEN)) total += preTokenCount(preToken);
  return total;
}

function preTokenCount(preToken: string): number {
  let count = counts.get(preToken);
  if (count !== undefined) return count;
  if (preToken.length <= LONG_PRE_TOKEN) {
    count = encodeTokens(preToken).length;
  } else {
    count = 0;
    for (const window of codePointWindows(preToken, LONG_PRE_TOKEN)) count += encodeTokens(window).length;
  }
  // Dropping everything at the limit keeps memory bounded; counts are the same either way.
  if (counts.size >= CACHE_LIMIT) counts.clear();
  counts.set(preToken, count);
  return count;
}

// Consecutive slices of at most `size` UTF-16 units that never split a surrogate pair.
export function codePointWindows(text: string, size: number): string[] {
  const windows: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1)) && end - 1 > start) end--;
    windows.push(text.slice(start, end));
    start = end;
  }
  return windows;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
