import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './content-disposition.js';
import { UploadsError, UploadsErrorCode } from './uploads.errors.js';

// How many leading bytes decide a file's type (file-type needs up to ~4100 for most formats;
// more lets it tell an Office document from a plain zip).
export const SNIFF_BYTES = 64 * 1024;

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

// Formats recognised by their magic numbers (file-type), with the extensions that may name them.
const SNIFFED: Record<string, readonly string[]> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'application/xml': ['xml'],
  'application/epub+zip': ['epub'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
  'audio/mpeg': ['mp3'],
  'audio/wav': ['wav'],
};

// Text formats have no magic number: they are recognised by extension (or declared type) and
// accepted only when every byte is UTF-8 without NULs.
const TEXT_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/jsonl',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  css: 'text/css',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  ...Object.fromEntries(
    ['js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'php',
      'sh', 'sql', 'toml', 'ini', 'swift', 'scala', 'r', 'lua', 'pl', 'tex', 'rst'].map((ext) => [ext, 'text/plain']),
  ),
};
const TEXT_TYPES = new Set(Object.values(TEXT_BY_EXTENSION));

// Declared types that say nothing, and aliases clients commonly send.
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);
const ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'audio/x-wav': 'audio/wav', 'audio/mp3': 'audio/mpeg', 'text/xml': 'application/xml' };

export interface DetectedType {
  mimeType: string;
  text: boolean;
}

export function normalizeType(declared: string | undefined): string {
  const bare = (declared ?? '').split(';')[0].trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

// The rules, from the first bytes (`complete` when they are the whole file):
// 1. a magic number was recognised: its type must be allowed, and neither the declared type
//    (unless generic) nor a known extension may name another type;
// 2. none was: the bytes must be UTF-8 without NULs, and the extension (else the declared type)
//    must be a text type; the rest of the stream is then checked by Utf8TextCheck.
export async function detectType(head: Buffer, complete: boolean, filename: string, declaredType: string | undefined): Promise<DetectedType> {
  const declared = normalizeType(declaredType);
  const ext = extensionOf(filename);
  const sniffed = await fileTypeFromBuffer(head);
  if (sniffed) {
    const exts = SNIFFED[sniffed.mime];
    if (!exts) throw unsupported(`Files of type ${sniffed.mime} are not accepted`);
    if (!GENERIC_TYPES.has(declared) && declared !== sniffed.mime) throw mismatch(`declared as ${declared} but the content is ${sniffed.mime}`);
    if (knownExtension(ext) && !exts.includes(ext)) throw mismatch(`named .${ext} but the content is ${sniffed.mime}`);
    return { mimeType: sniffed.mime, text: false };
  }
  const check = new Utf8TextCheck();
  if (!check.accepts(head, complete)) throw unsupported('The file type is not recognised and the content is not UTF-8 text');
  if (knownExtension(ext) && !TEXT_BY_EXTENSION[ext]) throw mismatch(`named .${ext} but the content is text`);
  const declaredText = TEXT_TYPES.has(declared) || declared.startsWith('text/');
  if (!GENERIC_TYPES.has(declared) && !declaredText) throw mismatch(`declared as ${declared} but the content is text`);
  const mimeType = TEXT_BY_EXTENSION[ext] ?? (TEXT_TYPES.has(declared) ? declared : undefined);
  if (!mimeType) throw unsupported('Text files need a known extension (.txt, .md, .csv, .json, .html, source code...) or declared type');
  return { mimeType, text: true };
}

export function isImageType(mimeType: string): boolean {
  return (IMAGE_TYPES as readonly string[]).includes(mimeType);
}

function knownExtension(ext: string): boolean {
  return ext in TEXT_BY_EXTENSION || Object.values(SNIFFED).some((exts) => exts.includes(ext));
}

// Streaming check that bytes are UTF-8 without NULs; a character split across chunks is fine.
export class Utf8TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  accepts(chunk: Buffer, last: boolean): boolean {
    if (chunk.includes(0)) return false;
    try {
      this.decoder.decode(chunk, { stream: !last });
      return true;
    } catch {
      return false;
    }
  }
}

function unsupported(detail: string): UploadsError {
  return new UploadsError(UploadsErrorCode.UnsupportedType, detail);
}

function mismatch(detail: string): UploadsError {
  return new UploadsError(UploadsErrorCode.TypeMismatch, `The file type does not match its content: ${detail}`);
}
