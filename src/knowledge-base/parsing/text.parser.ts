import type { TextBudget } from './limits.js';
import { decodeText, normalizeLines, normalizeProse } from './normalize.js';
import type { ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';

const LINES_PER_SECTION = 80;
const MIN_LINES_BEFORE_BREAK = 40;

// Plain text and source code: sections of up to 80 lines, ending at a blank line when one falls
// in the second half (between paragraphs or functions). Code keeps its indentation.
export function parsePlainText(bytes: Buffer, budget: TextBudget, code: boolean): ParserOutput {
  const lines = decodeText(bytes).split(/\r\n|\r|\n/);
  const sections: ParsedSection[] = [];
  let start = 0;
  while (start < lines.length) {
    const end = sectionEnd(lines, start);
    const first = firstContentLine(lines, start, end);
    if (first >= 0) {
      let last = end - 1;
      while (!lines[last].trim()) last--;
      const body = lines.slice(first, last + 1).join('\n');
      const text = code ? normalizeLines(body) : normalizeProse(body);
      budget.add(text);
      sections.push({ text, location: { lines: [first + 1, last + 1] } });
    }
    start = end;
  }
  return { sections };
}

// Exclusive end index of the section that starts at `start`.
function sectionEnd(lines: string[], start: number): number {
  const limit = Math.min(start + LINES_PER_SECTION, lines.length);
  if (limit === lines.length) return limit;
  for (let i = limit - 1; i >= start + MIN_LINES_BEFORE_BREAK; i--) {
    if (!lines[i].trim()) return i + 1;
  }
  return limit;
}

function firstContentLine(lines: string[], start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if (lines[i].trim()) return i;
  }
  return -1;
}
