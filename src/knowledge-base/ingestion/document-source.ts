import type { KnowledgeConfig } from '../../config/app-config.js';
import type { UploadsService } from '../../uploads/uploads.service.js';
import type { KbDocument } from '../entities/kb-document.entity.js';
import { DocumentParseError } from '../parsing/parsed-document.js';
import { fetchDocument } from './url-fetcher.js';

export interface SourceBytes {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

// A document's bytes, wherever they come from. The largest input read is bounded: uploads by
// their own limit, URLs by KB_URL_MAX_BYTES, texts by KB_MAX_CHARACTERS when added.
export async function loadSource(doc: KbDocument, uploads: UploadsService, config: KnowledgeConfig, maxUploadBytes: number): Promise<SourceBytes> {
  switch (doc.sourceKind) {
    case 'upload': {
      if (!doc.uploadId) throw new DocumentParseError('The upload of this document was deleted');
      const { upload, bytes } = await uploads.readBytes(doc.userId, doc.uploadId, maxUploadBytes);
      return { bytes, contentType: upload.contentType, filename: upload.filename };
    }
    case 'url': {
      const fetched = await fetchDocument(doc.sourceUrl!, config.url);
      return { bytes: fetched.bytes, contentType: urlContentType(fetched.contentType, fetched.filename), filename: fetched.filename };
    }
    case 'text':
      return { bytes: Buffer.from(doc.sourceText ?? '', 'utf8'), contentType: 'text/markdown', filename: 'text.md' };
  }
}

// A server's Content-Type, with the generic ones replaced by what the file name says.
function urlContentType(header: string, filename: string): string {
  const type = header.split(';')[0].trim().toLowerCase();
  if (type && type !== 'application/octet-stream' && type !== 'binary/octet-stream') return type === 'application/xhtml+xml' ? 'text/html' : type;
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  const byExt: Record<string, string> = {
    pdf: 'application/pdf',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    epub: 'application/epub+zip',
    md: 'text/markdown',
    csv: 'text/csv',
    json: 'application/json',
    html: 'text/html',
    htm: 'text/html',
  };
  return byExt[ext] ?? 'text/plain';
}
