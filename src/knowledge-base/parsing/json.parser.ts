import type { TextBudget } from './limits.js';
import { decodeText } from './normalize.js';
import { DocumentParseError, type ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';

const LINES_PER_SECTION = 80;

// JSON is pretty-printed (2-space indent) and split by top-level key or array element, packed
// into sections of up to 80 lines; lines refer to the pretty-printed document, not the upload.
export function parseJson(bytes: Buffer, budget: TextBudget): ParserOutput {
  let value: unknown;
  try {
    value = JSON.parse(decodeText(bytes));
  } catch (error) {
    if (error instanceof DocumentParseError) throw error;
    throw new DocumentParseError(`The file is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`);
  }
  const lines = JSON.stringify(value, null, 2).split('\n');
  const units = topLevelUnits(value);
  if (units.length === 0) {
    return { sections: emit([[1, lines.length]], lines, budget, 0) };
  }
  // Ranges of pretty-printed lines (1-based, inclusive) covered by each top-level unit.
  const ranges: [number, number][] = [];
  let line = 2;
  for (const unitLines of units) {
    ranges.push([line, line + unitLines - 1]);
    line += unitLines;
  }
  return { sections: emit(pack(ranges), lines, budget, 2) };
}

// Line count of each top-level key's or element's pretty-printed text; [] when not a container.
function topLevelUnits(value: unknown): number[] {
  const children = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  return children.map((child) => JSON.stringify(child ?? null, null, 2).split('\n').length);
}

function pack(ranges: [number, number][]): [number, number][] {
  const packed: [number, number][] = [];
  for (const [first, last] of ranges) {
    const current = packed[packed.length - 1];
    if (current && last - current[0] < LINES_PER_SECTION) {
      current[1] = last;
      continue;
    }
    for (let start = first; start <= last; start += LINES_PER_SECTION) {
      packed.push([start, Math.min(last, start + LINES_PER_SECTION - 1)]);
    }
  }
  return packed;
}

function emit(ranges: [number, number][], lines: string[], budget: TextBudget, indent: number): ParsedSection[] {
  return ranges.map(([first, last]) => {
    const text = lines
      .slice(first - 1, last)
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    budget.add(text);
    return { text, location: { lines: [first, last] } };
  });
}

// JSON Lines: every non-empty line must be a JSON value; sections of up to 80 source lines.
export function parseJsonLines(bytes: Buffer, budget: TextBudget): ParserOutput {
  const lines = decodeText(bytes).split(/\r\n|\r|\n/);
  const sections: ParsedSection[] = [];
  let group: string[] = [];
  let first = 0;
  let last = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    const text = group.join('\n');
    budget.add(text);
    sections.push({ text, location: { lines: [first, last] } });
    group = [];
  };
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    try {
      JSON.parse(line);
    } catch {
      throw new DocumentParseError(`Line ${index + 1} of the file is not valid JSON`);
    }
    if (group.length > 0 && index + 1 - first >= LINES_PER_SECTION) flush();
    if (group.length === 0) first = index + 1;
    group.push(line);
    last = index + 1;
  });
  flush();
  return { sections };
}
