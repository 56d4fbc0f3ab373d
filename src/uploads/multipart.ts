import type { FastifyRequest } from 'fastify';
import type { IncomingFile } from './upload-ingest.service.js';
import { tooLarge } from './ingest-stream.js';
import { UploadsError, UploadsErrorCode } from './uploads.errors.js';

// Room for the multipart framing around the file when Content-Length is compared to the limit.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

// The one file part of a multipart request, as a stream (nothing is buffered).
export async function readFilePart(request: FastifyRequest, maxBytes: number): Promise<IncomingFile> {
  if (!request.isMultipart()) {
    throw new UploadsError(UploadsErrorCode.NoFile, 'Send the file as multipart/form-data in a part named "file"');
  }
  // An honest Content-Length already says the file cannot fit: answer before reading it.
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
  const part = await request.file();
  if (!part) throw new UploadsError(UploadsErrorCode.NoFile, 'The request has no file part');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw new UploadsError(UploadsErrorCode.NoFile, `The file must be in a part named "file", not "${part.fieldname.slice(0, 50)}"`);
  }
  return { stream: part.file, filename: part.filename, declaredType: part.mimetype };
}
