import { extname } from 'node:path';
import { TextBudget } from './limits.js';
import { DocumentParseError, type DocumentFormat, type ParseLimits, type ParsedDocument } from './parsed-document.js';
import type { ParserOutput } from './parser-output.js';

const CONTENT_TYPES: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/epub+zip': 'epub',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/json': 'json',
  'application/jsonl': 'json',
  'application/x-ndjson': 'json',
  'application/ndjson': 'json',
  'application/xml': 'text',
  'text/xml': 'text',
  'application/yaml': 'text',
  'application/x-yaml': 'text',
  'text/yaml': 'text',
  'text/x-yaml': 'text',
  'application/javascript': 'code',
  'text/javascript': 'code',
  'application/typescript': 'code',
  'application/sql': 'code',
  'application/x-sh': 'code',
};

const CODE_EXTENSIONS = new Set([
  'ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'py', 'pyi', 'go', 'java', 'kt', 'kts', 'scala', 'groovy',
  'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'cs', 'fs', 'rs', 'rb', 'php', 'swift', 'm', 'mm', 'dart', 'lua', 'pl',
  'pm', 'r', 'jl', 'ex', 'exs', 'erl', 'hs', 'ml', 'clj', 'elm', 'zig', 'nim', 'sql', 'sh', 'bash', 'zsh', 'fish',
  'ps1', 'bat', 'vue', 'svelte', 'css', 'scss', 'sass', 'less', 'proto', 'graphql', 'gql', 'tf', 'gradle', 'cmake',
]);
const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdown', 'mkd']);

function extensionOf(filename: string | undefined): string {
  return filename ? extname(filename).slice(1).toLowerCase() : '';
}

// null = not supported. text/plain is refined by the file name: source code or Markdown.
export function detectFormat(contentType: string, filename: string | undefined): DocumentFormat | null {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const extension = extensionOf(filename);
  if (type === 'text/plain') {
    if (CODE_EXTENSIONS.has(extension)) return 'code';
    return MARKDOWN_EXTENSIONS.has(extension) ? 'markdown' : 'text';
  }
  if (type in CONTENT_TYPES) return CONTENT_TYPES[type];
  if (type.startsWith('text/x-') && CODE_EXTENSIONS.has(extension)) return 'code';
  return null;
}

export async function parseDocument(
  input: { bytes: Buffer; contentType: string; filename?: string },
  limits: ParseLimits,
): Promise<ParsedDocument> {
  const format = detectFormat(input.contentType, input.filename);
  if (!format) {
    const type = input.contentType.split(';')[0].trim() || 'unknown';
    throw new DocumentParseError(`Files of type ${type} cannot be added to a knowledge base`);
  }
  const budget = new TextBudget(limits.maxCharacters);
  const output = await runParser(format, input, limits, budget);
  const sections = output.sections.filter((section) => section.text.trim().length > 0);
  if (sections.length === 0) {
    throw new DocumentParseError(
      format === 'pdf'
        ? 'No text could be extracted from the PDF (scanned pages need OCR, which is not supported)'
        : 'No text could be extracted from the document',
    );
  }
  const characters = sections.reduce((sum, section) => sum + section.text.length, 0);
  return { format, sections, characters, ...(output.pages !== undefined ? { pages: output.pages } : {}) };
}

// Parsers are imported on first use: pdf.js, exceljs and mammoth are heavy to load.
async function runParser(
  format: DocumentFormat,
  input: { bytes: Buffer; contentType: string; filename?: string },
  limits: ParseLimits,
  budget: TextBudget,
): Promise<ParserOutput> {
  const { bytes } = input;
  switch (format) {
    case 'pdf':
      return (await import('./pdf.parser.js')).parsePdf(bytes, limits, budget);
    case 'docx':
      return (await import('./docx.parser.js')).parseDocx(bytes, limits, budget);
    case 'xlsx':
      return (await import('./xlsx.parser.js')).parseXlsx(bytes, limits, budget);
    case 'pptx':
      return (await import('./pptx.parser.js')).parsePptx(bytes, limits, budget);
    case 'epub':
      return (await import('./epub.parser.js')).parseEpub(bytes, limits, budget);
    case 'csv': {
      const tabSeparated = input.contentType.includes('tab-separated') || extensionOf(input.filename) === 'tsv';
      return (await import('./csv.parser.js')).parseCsv(bytes, budget, tabSeparated);
    }
    case 'html':
      return (await import('./html.parser.js')).parseHtml(bytes, budget);
    case 'markdown':
      return (await import('./markdown.parser.js')).parseMarkdown(bytes, budget);
    case 'json': {
      const { parseJson, parseJsonLines } = await import('./json.parser.js');
      const lines = /jsonl|ndjson/.test(input.contentType) || ['jsonl', 'ndjson'].includes(extensionOf(input.filename));
      return lines ? parseJsonLines(bytes, budget) : parseJson(bytes, budget);
    }
    case 'text':
    case 'code':
      return (await import('./text.parser.js')).parsePlainText(bytes, budget, format === 'code');
  }
}
