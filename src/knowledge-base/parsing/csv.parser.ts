import { parse } from 'csv-parse';
import type { TextBudget } from './limits.js';
import { decodeText } from './normalize.js';
import { DocumentParseError } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';
import { RowSections } from './tabular.js';

// CSV and TSV: sections of rows (see RowSections), located by record number (header = 1).
export async function parseCsv(bytes: Buffer, budget: TextBudget, tabSeparated: boolean): Promise<ParserOutput> {
  const text = decodeText(bytes);
  const parser = parse({
    delimiter: tabSeparated ? '\t' : sniffDelimiter(text),
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  parser.end(text);
  const rows = new RowSections(budget, {}, (i) => `Column ${i + 1}`);
  let record = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      rows.addRow(cells, ++record);
    }
  } catch (error) {
    parser.destroy();
    if (error instanceof DocumentParseError) throw error;
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new DocumentParseError(`The ${tabSeparated ? 'TSV' : 'CSV'} file could not be parsed: ${reason}`);
  }
  return { sections: rows.finish() };
}

// Spreadsheets exported in many locales use semicolons; pick what the header line uses most.
function sniffDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const firstLine = end < 0 ? text : text.slice(0, end);
  const count = (char: string): number => firstLine.split(char).length - 1;
  const semicolons = count(';');
  const tabs = count('\t');
  const commas = count(',');
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas) return '\t';
  return ',';
}
