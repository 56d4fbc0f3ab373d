import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { formatCount } from './limits.js';
import { DocumentParseError, type ParseLimits } from './parsed-document.js';

const MARKUP_ENTRY = /\.(xml|rels|opf|xhtml|html?|ncx)$/i;
// A DTD entity declaration is how billion-laughs and XXE payloads start; office and EPUB files never need one.
const ENTITY_MARKERS = [Buffer.from('<!ENTITY', 'latin1'), Buffer.from('<!ENTITY', 'utf16le')];
const MARKER_TAIL = 2 * '<!ENTITY'.length;

export type ZipEntries = Map<string, Buffer>;

/**
 * Validates a zip-based document before any library sees it: entry count, declared and actual
 * inflated size (counted while streaming, so a lying header does not help) and DTD entities.
 * Returns the inflated entries selected by `keep`; the others are inflated only to be counted.
 */
export async function readZipSafely(
  bytes: Buffer,
  limits: ParseLimits,
  label: string,
  keep: (name: string) => boolean = () => false,
): Promise<ZipEntries> {
  const zip = await openZip(bytes, label);
  try {
    if (zip.entryCount > limits.maxArchiveEntries) {
      throw new DocumentParseError(
        `The ${label} file has ${formatCount(zip.entryCount)} parts; the limit is ${formatCount(limits.maxArchiveEntries)}`,
      );
    }
    const entries = (await listEntries(zip, label)).filter((entry) => !entry.fileName.endsWith('/'));
    const declared = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (declared > limits.maxExpandedBytes) {
      throw tooLarge(label, limits);
    }
    const kept: ZipEntries = new Map();
    const counter = { total: 0 };
    for (const entry of entries) {
      const data = await inflateEntry(zip, entry, label, limits, counter, keep(entry.fileName));
      if (data) kept.set(entry.fileName, data);
    }
    return kept;
  } finally {
    zip.close();
  }
}

function tooLarge(label: string, limits: ParseLimits): DocumentParseError {
  const mb = Math.round(limits.maxExpandedBytes / (1024 * 1024));
  return new DocumentParseError(`The ${label} file expands to more than ${formatCount(mb)} MB when unpacked`);
}

function corrupt(label: string): DocumentParseError {
  return new DocumentParseError(`The file is not a valid ${label} document (the archive is corrupt or encrypted)`);
}

async function openZip(bytes: Buffer, label: string): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true });
  } catch {
    throw corrupt(label);
  }
}

function listEntries(zip: ZipFile, label: string): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', () => reject(corrupt(label)));
    zip.readEntry();
  });
}

async function inflateEntry(
  zip: ZipFile,
  entry: Entry,
  label: string,
  limits: ParseLimits,
  counter: { total: number },
  keep: boolean,
): Promise<Buffer | null> {
  if (entry.isEncrypted()) {
    throw new DocumentParseError(`The ${label} file is encrypted`);
  }
  const checkEntities = MARKUP_ENTRY.test(entry.fileName);
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch {
    throw corrupt(label);
  }
  const chunks: Buffer[] = [];
  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      counter.total += chunk.length;
      if (counter.total > limits.maxExpandedBytes) {
        throw tooLarge(label, limits);
      }
      if (checkEntities) {
        // The chunk itself, plus the seam with the previous chunk.
        const seam = Buffer.concat([tail, chunk.subarray(0, MARKER_TAIL)]);
        if (ENTITY_MARKERS.some((marker) => chunk.includes(marker) || seam.includes(marker))) {
          throw new DocumentParseError(`The ${label} file declares XML entities, which are not allowed`);
        }
        tail = Buffer.concat([tail, chunk.subarray(-MARKER_TAIL)]).subarray(-MARKER_TAIL);
      }
      if (keep) chunks.push(chunk);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof DocumentParseError) throw error;
    // yauzl's validateEntrySizes: the entry inflates to more (or less) than its header declares.
    if (error instanceof Error && /too many bytes|not enough bytes/.test(error.message)) {
      throw new DocumentParseError(`The ${label} file is corrupt: a part inflates to a different size than declared`);
    }
    throw corrupt(label);
  }
  return keep ? Buffer.concat(chunks) : null;
}
