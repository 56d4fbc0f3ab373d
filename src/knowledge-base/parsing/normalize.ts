import { DocumentParseError } from './parsed-document.js';

// Prose: collapse runs of spaces, keep single line breaks, keep paragraph breaks as one blank line.
export function normalizeProse(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// Code and preformatted text: keep indentation, drop trailing spaces and extra blank lines.
export function normalizeLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

// UTF-8 (BOM optional), or UTF-16 when the file starts with a UTF-16 byte order mark.
export function decodeText(bytes: Buffer): string {
  let text: string;
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
      text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes);
    } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
      text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes);
    } else {
      text = utf8.decode(bytes);
    }
  } catch {
    throw new DocumentParseError('The file is not valid UTF-8 text');
  }
  if (text.includes('\u0000')) {
    throw new DocumentParseError('The file contains binary data, not text');
  }
  return text;
}
