import type { TextBudget } from './limits.js';
import type { ParsedSection, SourceLocation } from './parsed-document.js';

const ROWS_PER_SECTION = 50;
const CHARACTERS_PER_SECTION = 6000;

// Rows render as `Header: value; Header: value` (empty cells left out), one row per paragraph:
// every line then stands on its own for embedding and reads naturally when quoted, and the
// chunker can split between rows at the blank lines.
export class RowSections {
  readonly sections: ParsedSection[] = [];
  private header: string[] | null = null;
  private headerRow = 0;
  private lines: string[] = [];
  private characters = 0;
  private firstRow = 0;
  private lastRow = 0;

  constructor(
    private readonly budget: TextBudget,
    private readonly location: SourceLocation,
    private readonly columnName: (index: number) => string,
  ) {}

  // rowNumber is 1-based in the source; the first non-empty row is the header.
  addRow(cells: string[], rowNumber: number): void {
    if (!this.header) {
      this.header = cells.map((cell, i) => clean(cell) || this.columnName(i));
      this.headerRow = rowNumber;
      return;
    }
    const fields: string[] = [];
    cells.forEach((cell, i) => {
      const value = clean(cell);
      if (value) fields.push(`${this.header?.[i] ?? this.columnName(i)}: ${value}`);
    });
    if (fields.length === 0) return;
    const line = fields.join('; ');
    if (this.lines.length >= ROWS_PER_SECTION || this.characters + line.length > CHARACTERS_PER_SECTION) this.flush();
    if (this.lines.length === 0) this.firstRow = rowNumber;
    this.lines.push(line);
    this.characters += line.length + 2;
    this.lastRow = rowNumber;
  }

  finish(): ParsedSection[] {
    this.flush();
    // A sheet holding a single row still has text worth keeping.
    if (this.sections.length === 0 && this.header && this.header.some((cell, i) => cell !== this.columnName(i))) {
      this.lines.push(this.header.join('; '));
      this.firstRow = this.lastRow = this.headerRow;
      this.flush();
    }
    return this.sections;
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n\n');
    this.budget.add(text);
    this.sections.push({ text, location: { ...this.location, rows: [this.firstRow, this.lastRow] } });
    this.lines = [];
    this.characters = 0;
  }
}

function clean(value: string | undefined): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}
