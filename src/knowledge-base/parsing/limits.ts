import { DocumentParseError } from './parsed-document.js';

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

// Counts extracted characters as sections are produced, so an oversized document fails
// as soon as it crosses the limit instead of after everything has been extracted.
export class TextBudget {
  private used = 0;

  constructor(private readonly maxCharacters: number) {}

  get characters(): number {
    return this.used;
  }

  add(text: string): void {
    this.used += text.length;
    if (this.used > this.maxCharacters) {
      throw new DocumentParseError(`The document has more than ${formatCount(this.maxCharacters)} characters of text`);
    }
  }
}

export function assertPageCount(count: number, max: number, what: string, noun: string): void {
  if (count > max) {
    throw new DocumentParseError(`The ${what} has ${formatCount(count)} ${noun}; the limit is ${formatCount(max)}`);
  }
}
