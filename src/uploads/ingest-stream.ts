import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Utf8TextCheck } from './content-types.js';
import { UploadsError, UploadsErrorCode } from './uploads.errors.js';

// A multipart file part: busboy sets `truncated` (and emits 'limit') at the per-file limit.
export type FileStream = Readable & { truncated?: boolean };

export interface Head {
  bytes: Buffer;
  // The whole file fitted in the head.
  complete: boolean;
  rest: AsyncIterator<Buffer>;
}

// Reads up to `size` leading bytes without consuming the rest.
export async function readHead(source: FileStream, size: number): Promise<Head> {
  const rest = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const next = await rest.next();
    if (next.done) return { bytes: Buffer.concat(chunks), complete: true, rest };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { bytes: Buffer.concat(chunks), complete: false, rest };
}

export interface IngestLimits {
  maxBytes: number;
  // What is left of the user's quota when the upload started.
  remainingQuota: number;
  quotaBytes: number;
  // Check that every byte is UTF-8 text (for types recognised as text).
  text: boolean;
}

export interface IngestResult {
  bytes: number;
  sha256: string;
}

// The body handed to storage: the head, then the rest, counted and hashed on the way. It fails
// (so storage aborts the object) at the size limit, past the quota, or on non-text bytes.
export function ingestBody(source: FileStream, head: Head, limits: IngestLimits): { body: Readable; result: () => IngestResult } {
  const hash = createHash('sha256');
  const text = limits.text ? new Utf8TextCheck() : undefined;
  let bytes = 0;

  const take = (chunk: Buffer, last: boolean): Buffer => {
    bytes += chunk.length;
    // busboy stops at the limit and marks the part truncated: one byte over is too large.
    if (source.truncated || bytes > limits.maxBytes) throw tooLarge(limits.maxBytes);
    if (bytes > limits.remainingQuota) throw quotaExceeded(limits.quotaBytes, limits.quotaBytes - limits.remainingQuota);
    if (text && !text.accepts(chunk, last)) {
      throw new UploadsError(UploadsErrorCode.UnsupportedType, 'The content is not UTF-8 text (invalid bytes or NULs)');
    }
    hash.update(chunk);
    return chunk;
  };

  async function* generate(): AsyncGenerator<Buffer> {
    if (head.complete) {
      yield take(head.bytes, true);
    } else {
      yield take(head.bytes, false);
      for (;;) {
        const next = await head.rest.next();
        if (next.done) break;
        yield take(next.value, false);
      }
      take(Buffer.alloc(0), true);
    }
    if (source.truncated) throw tooLarge(limits.maxBytes);
  }

  const body = Readable.from(generate(), { objectMode: false });
  return { body, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

export function tooLarge(maxBytes: number): UploadsError {
  return new UploadsError(UploadsErrorCode.FileTooLarge, `The file is larger than the limit of ${formatBytes(maxBytes)} (UPLOAD_MAX_BYTES)`);
}

export function quotaExceeded(quotaBytes: number, usedBytes: number): UploadsError {
  return new UploadsError(
    UploadsErrorCode.QuotaExceeded,
    `This upload would exceed your upload quota of ${formatBytes(quotaBytes)} (${formatBytes(usedBytes)} used)`,
  );
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit += 1;
  }
  return `${value} ${units[unit]}`;
}
