import { getEncoding, type Tiktoken } from 'js-tiktoken';

let encoding: Tiktoken | undefined;

// Vendors do not tell token counts before a request, so context trimming counts with o200k_base
// (GPT-4o's encoding) as the estimate for every vendor. Loaded on first use (it takes ~0.8 s).
export function countTokens(text: string): number {
  encoding ??= getEncoding('o200k_base');
  return encoding.encode(text).length;
}

// Byte-level BPE tokens are at least one byte long, so the UTF-8 length bounds the token count.
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// Text counted exactly up to this many characters; beyond, a sample of this size is counted and
// scaled by length, so estimating a long text costs a bounded few milliseconds of the event loop.
const SAMPLE_CHARS = 8_192;

export function estimateTokens(text: string): number {
  if (text.length <= SAMPLE_CHARS) return countTokens(text);
  return Math.round((countTokens(text.slice(0, SAMPLE_CHARS)) * text.length) / SAMPLE_CHARS);
}
