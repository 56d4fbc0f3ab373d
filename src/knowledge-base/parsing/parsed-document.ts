export interface SourceLocation {
  page?: number; // PDF page, 1-based
  sheet?: string; // XLSX sheet name
  rows?: [number, number]; // XLSX/CSV first/last row (1-based, header row = 1) of the section
  slide?: number; // PPTX slide, 1-based
  chapter?: string; // EPUB chapter title (or its file name when untitled)
  headingPath?: string[]; // Markdown/HTML/DOCX/EPUB headings enclosing the section, outermost first
  lines?: [number, number]; // text/code/JSON first/last line, 1-based
}

export interface ParsedSection {
  text: string;
  location: SourceLocation;
}

export type DocumentFormat = 'pdf' | 'docx' | 'xlsx' | 'csv' | 'pptx' | 'epub' | 'html' | 'markdown' | 'text' | 'json' | 'code';

export interface ParsedDocument {
  format: DocumentFormat;
  sections: ParsedSection[];
  characters: number;
  pages?: number;
}

export interface ParseLimits {
  maxPages: number; // PDF pages / PPTX slides / EPUB chapters; XLSX sheets x rows is bounded by maxCharacters
  maxCharacters: number; // total extracted text
  maxArchiveEntries: number; // zip-based formats
  maxExpandedBytes: number; // total uncompressed bytes of a zip-based format
}

// The message is a user-facing reason, safe to show as the document's failure.
export class DocumentParseError extends Error {
  override readonly name = 'DocumentParseError';
}
