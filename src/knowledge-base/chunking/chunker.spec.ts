import { describe, it } from 'node:test';
import { expect } from 'expect';
import type { ParsedDocument, ParsedSection, SourceLocation } from '../parsing/parsed-document.js';
import { type Chunk, chunkDocument } from './chunker.js';
import { countTokens, encodeTokens } from './tokenizer.js';

const doc = (sections: ParsedSection[]): ParsedDocument => ({
  format: 'text',
  sections,
  characters: sections.reduce((sum, s) => sum + s.text.length, 0),
});
const words = ['river', 'ledger', 'quartz', 'signal', 'harbor', 'meadow', 'copper', 'lantern', 'orbit', 'velvet'];
// Numbered sentences of varied length, grouped into paragraphs, some lines wrapped.
function prose(sentences: number, from = 0): string {
  let text = '';
  for (let i = from; i < from + sentences; i++) {
    const length = 4 + ((i * 7) % 23);
    const body = Array.from({ length }, (_, k) => words[(i * 3 + k * k) % words.length]).join(' ');
    text += `Sentence ${i} says ${body}.`;
    text += i % 9 === 8 ? '\n\n' : i % 4 === 3 ? '\n' : ' ';
  }
  return text.trim();
}
const sentencesOf = (text: string) => text.match(/Sentence \d+ says [a-z ]+\./g) ?? [];
const joined = (chunks: Chunk[]) => chunks.map((c) => c.text).join('');
// Tokens in the longest start of `next` that is also the end of `previous`.
function sharedTokens(previous: string, next: string): number {
  let shared = Math.min(previous.length, next.length);
  while (shared > 0 && !previous.endsWith(next.slice(0, shared))) shared--;
  return countTokens(next.slice(0, shared));
}

describe('chunkDocument', () => {
  it('keeps every chunk within the size, with its exact token count and consecutive ordinals', () => {
    const text = prose(400);
    for (const [size, overlap] of [[64, 0], [64, 31], [128, 20], [512, 64]]) {
      const chunks = chunkDocument(doc([{ text, location: { page: 1 } }]), { size, overlap });
      expect(chunks.length).toBeGreaterThan(1);
      for (const [i, chunk] of chunks.entries()) {
        expect(chunk.ordinal).toBe(i);
        expect(chunk.tokenCount).toBe(encodeTokens(chunk.text).length);
        expect(chunk.tokenCount).toBeLessThanOrEqual(size);
      }
    }
  });

  it('packs pieces close to the size rather than one paragraph per chunk', () => {
    const chunks = chunkDocument(doc([{ text: prose(400), location: {} }]), { size: 256, overlap: 0 });
    const average = chunks.reduce((sum, c) => sum + c.tokenCount, 0) / chunks.length;
    expect(average).toBeGreaterThan(256 * 0.7);
  });

  it('loses no sentence, and with no overlap loses no text at all', () => {
    const text = prose(300);
    for (const overlap of [0, 40]) {
      const chunks = chunkDocument(doc([{ text, location: {} }]), { size: 100, overlap });
      const all = chunks.map((c) => c.text).join('\n');
      for (const sentence of sentencesOf(text)) expect(all).toContain(sentence);
    }
    const chunks = chunkDocument(doc([{ text, location: {} }]), { size: 100, overlap: 0 });
    expect(joined(chunks).replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  });

  it('repeats about `overlap` tokens of a chunk at the start of the next one', () => {
    const chunks = chunkDocument(doc([{ text: prose(300), location: {} }]), { size: 200, overlap: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 1; i < chunks.length; i++) {
      const tokens = sharedTokens(chunks[i - 1].text, chunks[i].text);
      expect(tokens).toBeGreaterThanOrEqual(10);
      expect(tokens).toBeLessThanOrEqual(41);
    }
  });

  it('takes the overlap by sentences, not from the middle of one, when it can', () => {
    const chunks = chunkDocument(doc([{ text: prose(300), location: {} }]), { size: 200, overlap: 40 });
    for (const chunk of chunks.slice(1)) expect(chunk.text).toMatch(/^Sentence \d+ says/);
  });

  it('never spans sections, and keeps each section location', () => {
    const sections: ParsedSection[] = [
      { text: prose(40, 0), location: { page: 1 } },
      { text: prose(40, 100), location: { page: 2 } },
      { text: prose(3, 200), location: { headingPath: ['Guide', 'Install'] } },
    ];
    const chunks = chunkDocument(doc(sections), { size: 128, overlap: 16 });
    for (const chunk of chunks) {
      const numbers = sentencesOf(chunk.text).map((s) => Number(/\d+/.exec(s)![0]));
      const expected: SourceLocation =
        numbers[0] < 100 ? { page: 1 } : numbers[0] < 200 ? { page: 2 } : { headingPath: ['Guide', 'Install'] };
      expect(chunk.location).toEqual(expected);
      for (const n of numbers) expect(Math.floor(n / 100)).toBe(Math.floor(numbers[0] / 100));
    }
    expect(chunks.map((c) => c.location.page)).toEqual([...chunks.map((c) => c.location.page)].sort((a, b) => (a ?? 9) - (b ?? 9)));
    // The heading path stays in the location; the text is the section's text, unprefixed.
    expect(chunks[chunks.length - 1].text).toBe(sections[2].text);
  });

  it('merges adjacent small sections at the same location, not others', () => {
    const sections: ParsedSection[] = [
      { text: 'First paragraph of page one.', location: { page: 1 } },
      { text: 'Second paragraph of page one.', location: { page: 1 } },
      { text: 'Only paragraph of page two.', location: { page: 2 } },
      { text: 'Rows again.', location: { sheet: 'A', rows: [1, 5] } },
      { text: 'Other rows.', location: { sheet: 'A', rows: [6, 9] } },
    ];
    const chunks = chunkDocument(doc(sections), { size: 64, overlap: 0 });
    expect(chunks.map((c) => [c.text, c.location])).toEqual([
      ['First paragraph of page one.\n\nSecond paragraph of page one.', { page: 1 }],
      ['Only paragraph of page two.', { page: 2 }],
      ['Rows again.', { sheet: 'A', rows: [1, 5] }],
      ['Other rows.', { sheet: 'A', rows: [6, 9] }],
    ]);
  });

  it('splits a single word with no spaces by tokens', () => {
    const word = Array.from({ length: 3000 }, (_, i) => (i * 7919).toString(36)).join('');
    for (const overlap of [0, 20]) {
      const chunks = chunkDocument(doc([{ text: word, location: {} }]), { size: 64, overlap });
      expect(chunks.length).toBeGreaterThan(10);
      for (const chunk of chunks) expect(countTokens(chunk.text)).toBeLessThanOrEqual(64);
      if (overlap === 0) expect(joined(chunks)).toBe(word);
    }
  });

  it('splits CJK text without spaces, by sentences and within a sentence', () => {
    const sentence = '知识库把文档切成小段然后为每一段计算向量以便检索';
    const punctuated = `${sentence}。`.repeat(80);
    const unbroken = sentence.repeat(60) + '🙂'.repeat(50);
    for (const text of [punctuated, unbroken]) {
      const chunks = chunkDocument(doc([{ text, location: {} }]), { size: 64, overlap: 0 });
      expect(chunks.length).toBeGreaterThan(5);
      for (const chunk of chunks) {
        expect(chunk.tokenCount).toBeLessThanOrEqual(64);
        expect(chunk.text).not.toContain('\uFFFD');
      }
      expect(joined(chunks)).toBe(text);
    }
    // A 30-token sentence is repeated whole when the overlap allows it, else its end by tokens.
    const bySentence = chunkDocument(doc([{ text: punctuated, location: {} }]), { size: 64, overlap: 31 });
    for (const chunk of bySentence.slice(1)) expect(chunk.text.startsWith(sentence)).toBe(true);
    const byTokens = chunkDocument(doc([{ text: unbroken, location: {} }]), { size: 64, overlap: 20 });
    for (let i = 1; i < byTokens.length; i++) {
      expect(byTokens[i].tokenCount).toBeLessThanOrEqual(64);
      expect(sharedTokens(byTokens[i - 1].text, byTokens[i].text)).toBeGreaterThanOrEqual(10);
    }
  });

  it('gives the same chunks for the same input', () => {
    const sections = [
      { text: prose(200), location: { page: 3 } },
      { text: 'x'.repeat(5000), location: { page: 4 } },
    ];
    const first = chunkDocument(doc(sections), { size: 96, overlap: 24 });
    expect(chunkDocument(doc(structuredClone(sections)), { size: 96, overlap: 24 })).toEqual(first);
  });

  it('skips empty sections and cleans text PostgreSQL cannot store', () => {
    const chunks = chunkDocument(
      doc([
        { text: '', location: { page: 1 } },
        { text: '  \n\n \t ', location: { page: 2 } },
        { text: 'Real\0 text <|endoftext|> here.', location: { page: 3 } },
      ]),
      { size: 64, overlap: 8 },
    );
    expect(chunks).toEqual([{ ordinal: 0, text: 'Real text <|endoftext|> here.', tokenCount: 10, location: { page: 3 } }]);
    expect(chunkDocument(doc([]), { size: 64, overlap: 8 })).toEqual([]);
  });

  it('rejects sizes outside 64..4096 and overlaps of half the size or more', () => {
    const empty = doc([]);
    for (const options of [
      { size: 63, overlap: 0 },
      { size: 4097, overlap: 0 },
      { size: 100.5, overlap: 0 },
      { size: 100, overlap: 50 },
      { size: 100, overlap: -1 },
      { size: 100, overlap: Number.NaN },
    ]) {
      expect(() => chunkDocument(empty, options)).toThrow(RangeError);
    }
    expect(() => chunkDocument(empty, { size: 4096, overlap: 2047 })).not.toThrow();
  });
});
