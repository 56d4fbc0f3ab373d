import type { ParsedDocument, ParsedSection, SourceLocation } from '../parsing/parsed-document.js';
import { codePointWindows, countTokens, decodeTokens, encodeTokens } from './tokenizer.js';

export interface Chunk {
  ordinal: number;
  text: string;
  tokenCount: number;
  location: SourceLocation;
}

// In cl100k_base tokens.
export interface ChunkingOptions {
  size: number;
  overlap: number;
}

export const MIN_CHUNK_SIZE = 64;
export const MAX_CHUNK_SIZE = 4096;

// Structural levels a too-long range is split at, coarsest first.
const PARAGRAPHS = 0;
const LINES = 1;
const SENTENCES = 2;
const WORDS = 3;
const TOKENS = 4;

// A range longer than this many characters per allowed token is split without being encoded
// first: it would almost surely be over the limit, and encoding it would be wasted work.
const CHARS_PER_TOKEN_GUARD = 12;
// The overlap is looked for in this many characters per overlap token at the end of a piece.
const OVERLAP_WINDOW_CHARS_PER_TOKEN = 8;
const SENTENCE_WINDOW = 4096;
const SENTENCE_LOOKAHEAD = 256;
// Characters encoded at a time when a range with no boundary at all is cut by tokens.
const TOKEN_SLICE_WINDOW = 64;

// A contiguous range [start, end) of one section's text. Separators (blank lines, newlines,
// spaces) belong to the start of the following piece, which is where cl100k's pre-tokenizer puts
// them too, so the token counts of consecutive pieces add up to (at most about) their joined count.
interface Piece {
  start: number;
  end: number;
  tokens: number;
  level: number;
}

// A piece begins where its separator does: a run of blank lines, a line break, a run of spaces.
const SEPARATORS: Record<number, RegExp> = {
  [PARAGRAPHS]: /(?:\r?\n[^\S\r\n]*){2,}/g,
  [LINES]: /\r?\n/g,
  [WORDS]: /\s+/g,
};

let sentenceSegmenter: Intl.Segmenter | undefined;

export function validateChunkingOptions({ size, overlap }: ChunkingOptions): void {
  if (!Number.isInteger(size) || size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
    throw new RangeError(`Chunk size must be an integer from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE} tokens`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size / 2) {
    throw new RangeError('Chunk overlap must be a non-negative integer below half the chunk size');
  }
}

// Splits each section by structure (paragraphs, lines, sentences, words, then tokens), packs the
// pieces greedily up to `size` tokens and repeats about `overlap` tokens of a chunk at the start
// of the next one. A chunk never spans two sections. Deterministic: no clock, no randomness.
export function chunkDocument(doc: ParsedDocument, options: ChunkingOptions): Chunk[] {
  validateChunkingOptions(options);
  const chunks: Chunk[] = [];
  for (const section of mergeSections(doc.sections)) {
    const text = cleanText(section.text);
    if (text.length === 0) continue;
    for (const { text: body, tokenCount } of chunkText(text, options)) {
      chunks.push({ ordinal: chunks.length, text: body, tokenCount, location: copyLocation(section.location) });
    }
  }
  return chunks;
}

function chunkText(text: string, { size, overlap }: ChunkingOptions): { text: string; tokenCount: number }[] {
  const pieces: Piece[] = [];
  // Any piece leaves room for a full overlap in front of it.
  addRange(text, 0, text.length, PARAGRAPHS - 1, size - overlap, pieces);
  const out: { text: string; tokenCount: number }[] = [];
  let current: Piece[] = [];
  let repeated = 0; // how many pieces at the start of `current` are the previous chunk's overlap
  let tokens = 0;
  for (let i = 0; i < pieces.length; ) {
    // Never true right after an overlap: the overlap plus any one piece fits.
    if (current.length > repeated && tokens + pieces[i].tokens > size) {
      const kept = emitChunk(text, current, repeated, size, out);
      i -= current.length - kept; // pieces that did not fit after all start the next chunk
      current = overlapTail(text, current.slice(0, kept), overlap);
      repeated = current.length;
      tokens = sumTokens(current);
      continue;
    }
    current.push(pieces[i]);
    tokens += pieces[i].tokens;
    i++;
  }
  if (current.length > repeated) emitChunk(text, current, repeated, size, out);
  return out;
}

// Adds the chunk made of `current` and returns how many of its pieces it used. Joined pieces can
// count a token or two more than the sum of their counts: trailing pieces are left out until the
// exact count fits (the first new piece always stays, so every chunk makes progress).
function emitChunk(
  text: string,
  current: Piece[],
  repeated: number,
  size: number,
  out: { text: string; tokenCount: number }[],
): number {
  let first = 0;
  let end = current.length;
  for (;;) {
    const body = text.slice(current[first].start, current[end - 1].end).trim();
    const tokenCount = countTokens(body);
    if (tokenCount <= size || (end === repeated + 1 && first === repeated)) {
      if (body.length > 0) out.push({ text: body, tokenCount });
      return end;
    }
    if (end > repeated + 1) end--;
    else first = repeated; // only the overlap can go
  }
}

// Adds [start, end) as one piece when it fits `max` tokens, else split below `level`.
function addRange(text: string, start: number, end: number, level: number, max: number, out: Piece[]): void {
  if (end - start <= max * CHARS_PER_TOKEN_GUARD) {
    const tokens = countTokens(text.slice(start, end));
    if (tokens <= max) {
      out.push({ start, end, tokens, level });
      return;
    }
  }
  splitRange(text, start, end, level + 1, max, out);
}

// Splits [start, end) at `level` (or the first finer level that has a boundary inside it).
function splitRange(text: string, start: number, end: number, level: number, max: number, out: Piece[]): void {
  for (; level < TOKENS; level++) {
    const cuts = boundaries(text, start, end, level);
    if (cuts.length === 0) continue;
    let from = start;
    for (const cut of cuts) {
      addRange(text, from, cut, level, max, out);
      from = cut;
    }
    addRange(text, from, end, level, max, out);
    return;
  }
  sliceByTokens(text, start, end, max, out);
}

// Offsets strictly inside (start, end), ascending, where a piece at `level` begins.
function boundaries(text: string, start: number, end: number, level: number): number[] {
  const slice = text.slice(start, end);
  const cuts: number[] = [];
  const add = (offset: number) => {
    if (offset > 0 && offset < slice.length && (cuts.length === 0 || start + offset > cuts[cuts.length - 1])) {
      cuts.push(start + offset);
    }
  };
  if (level === SENTENCES) {
    for (const index of sentenceStarts(slice)) {
      // A sentence segment ends with its trailing spaces; they go to the next sentence.
      let cut = index;
      while (cut > 0 && /\s/.test(slice[cut - 1])) cut--;
      add(cut);
    }
    return cuts;
  }
  for (const match of slice.matchAll(SEPARATORS[level])) add(match.index);
  return cuts;
}

// Where sentences begin, found in windows: V8's segmenter slows down quadratically on long
// strings. A start is only taken with SENTENCE_LOOKAHEAD characters of its window after it, and
// the next window begins at the last start taken.
function sentenceStarts(text: string): number[] {
  sentenceSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'sentence' });
  const starts: number[] = [];
  for (let from = 0; from < text.length; ) {
    const to = Math.min(from + SENTENCE_WINDOW, text.length);
    const settled = to === text.length ? to : to - SENTENCE_LOOKAHEAD;
    let next = settled;
    for (const { index } of sentenceSegmenter.segment(text.slice(from, to))) {
      if (index === 0) continue;
      if (from + index > settled) break;
      next = from + index;
      starts.push(next);
    }
    if (to === text.length) break;
    from = next;
  }
  return starts;
}

// Last resort: consecutive token slices of at most `max` tokens, each cut where the decoded
// tokens end on a whole character (a CJK character or emoji can span several byte tokens).
// Long ranges are first cut into character windows, as encoding one long run is quadratic.
function sliceByTokens(text: string, start: number, end: number, max: number, out: Piece[]): void {
  for (const window of codePointWindows(text.slice(start, end), TOKEN_SLICE_WINDOW)) {
    sliceWindowByTokens(text, start, start + window.length, max, out);
    start += window.length;
  }
}

function sliceWindowByTokens(text: string, start: number, end: number, max: number, out: Piece[]): void {
  const tokens = encodeTokens(text.slice(start, end));
  let offset = start;
  let i = 0;
  while (i < tokens.length && offset < end) {
    let j = Math.min(i + max, tokens.length);
    let decoded = decodeTokens(tokens.slice(i, j));
    while (j > i + 1 && !text.startsWith(decoded, offset)) decoded = decodeTokens(tokens.slice(i, --j));
    // One character longer than `max` tokens: take the tokens up to the end of that character.
    while (!text.startsWith(decoded, offset) && j < tokens.length) decoded = decodeTokens(tokens.slice(i, ++j));
    if (!text.startsWith(decoded, offset) || decoded.length === 0) {
      decoded = text.slice(offset, end);
      j = tokens.length;
    }
    out.push({ start: offset, end: offset + decoded.length, tokens: countTokens(decoded), level: TOKENS });
    offset += decoded.length;
    i = j;
  }
}

// The trailing pieces of `chunk` worth about `overlap` tokens; a piece too long to repeat whole is
// split finer (sentences, then words, then tokens) and only its end is taken.
function overlapTail(text: string, chunk: Piece[], overlap: number): Piece[] {
  const tail: Piece[] = [];
  let tokens = 0;
  for (let k = chunk.length - 1; k >= 0 && tokens < overlap; k--) {
    const piece = chunk[k];
    if (tokens + piece.tokens <= overlap) {
      tail.unshift(piece);
      tokens += piece.tokens;
      continue;
    }
    // Whole pieces are preferred; a piece is cut into only when they would give too little.
    if (tokens < overlap / 4) tail.unshift(...pieceTail(text, piece, overlap - tokens));
    break;
  }
  return tail;
}

function pieceTail(text: string, piece: Piece, budget: number): Piece[] {
  if (piece.level >= TOKENS) return tokenTail(text, piece, budget);
  const windowStart = Math.max(piece.start, piece.end - budget * OVERLAP_WINDOW_CHARS_PER_TOKEN);
  const parts: Piece[] = [];
  splitRange(text, windowStart, piece.end, piece.level + 1, budget, parts);
  // A window cut inside the piece begins with a partial sentence or word: never take that part.
  const first = windowStart > piece.start ? 1 : 0;
  const tail: Piece[] = [];
  let tokens = 0;
  for (let k = parts.length - 1; k >= first && tokens + parts[k].tokens <= budget; k--) {
    tail.unshift(parts[k]);
    tokens += parts[k].tokens;
  }
  return tail.length > 0 ? tail : tokenTail(text, piece, budget);
}

// The last tokens of a piece, at most `budget` of them, starting on a whole character.
function tokenTail(text: string, piece: Piece, budget: number): Piece[] {
  const body = text.slice(Math.max(piece.start, piece.end - budget * OVERLAP_WINDOW_CHARS_PER_TOKEN), piece.end);
  const tokens = encodeTokens(body);
  for (let k = Math.max(0, tokens.length - budget); k < tokens.length; k++) {
    const decoded = decodeTokens(tokens.slice(k));
    if (body.endsWith(decoded)) return [{ start: piece.end - decoded.length, end: piece.end, tokens: tokens.length - k, level: TOKENS }];
  }
  return [];
}

// Adjacent sections at the same location (a page split into paragraphs, say) are chunked as one.
function mergeSections(sections: ParsedSection[]): ParsedSection[] {
  const merged: ParsedSection[] = [];
  for (const section of sections) {
    if (section.text.trim().length === 0) continue;
    const last = merged[merged.length - 1];
    if (last !== undefined && sameLocation(last.location, section.location)) {
      merged[merged.length - 1] = { text: `${last.text}\n\n${section.text}`, location: last.location };
    } else {
      merged.push(section);
    }
  }
  return merged;
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return (
    a.page === b.page &&
    a.sheet === b.sheet &&
    a.slide === b.slide &&
    a.chapter === b.chapter &&
    sameList(a.rows, b.rows) &&
    sameList(a.lines, b.lines) &&
    sameList(a.headingPath, b.headingPath)
  );
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function copyLocation(location: SourceLocation): SourceLocation {
  const copy: SourceLocation = { ...location };
  if (location.rows) copy.rows = [...location.rows];
  if (location.lines) copy.lines = [...location.lines];
  if (location.headingPath) copy.headingPath = [...location.headingPath];
  return copy;
}

// PostgreSQL text cannot hold NUL, and lone surrogates do not survive a UTF-8 round trip.
function cleanText(text: string): string {
  return text.replace(/\0/g, '').replace(/\p{Cs}/gu, '\uFFFD').trim();
}

function sumTokens(pieces: Piece[]): number {
  return pieces.reduce((sum, piece) => sum + piece.tokens, 0);
}
