import ExcelJS from 'exceljs';
import type { TextBudget } from './limits.js';
import { DocumentParseError, type ParseLimits, type ParsedSection } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';
import { RowSections } from './tabular.js';
import { readZipSafely } from './zip-guard.js';

// Sections of rows per sheet (see RowSections for the rendering), located by sheet and rows.
export async function parseXlsx(bytes: Buffer, limits: ParseLimits, budget: TextBudget): Promise<ParserOutput> {
  await readZipSafely(bytes, limits, 'XLSX');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch {
    throw new DocumentParseError('The XLSX file could not be read (it may be corrupt)');
  }
  const sections: ParsedSection[] = [];
  for (const sheet of workbook.worksheets) {
    const rows = new RowSections(budget, { sheet: sheet.name }, (i) => `Column ${columnLetter(i)}`);
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        cells[column - 1] = cellText(cell);
      });
      rows.addRow(Array.from(cells, (cell) => cell ?? ''), rowNumber);
    });
    sections.push(...rows.finish());
  }
  return { sections };
}

function cellText(cell: ExcelJS.Cell): string {
  const value = cell.value;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  try {
    return cell.text;
  } catch {
    return '';
  }
}

function columnLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}
