import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { decodeCursor, type Page, type PageQueryDto, toPage } from '../common/pagination/cursor.js';
import { JobQueue, QUEUES } from '../jobs/job-queue.js';
import { UnsafeAddressError } from '../providers/provider-error.js';
import type { IncomingFile } from '../uploads/upload-ingest.service.js';
import { UploadIngestService } from '../uploads/upload-ingest.service.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { type AddDocumentDto, DocumentResponseDto } from './dto/document.dto.js';
import { ChunksRepository } from './chunks.repository.js';
import { DocumentsRepository } from './documents.repository.js';
import type { KbDocument } from './entities/kb-document.entity.js';
import { assertFetchableUrl } from './ingestion/url-fetcher.js';
import type { IngestionJob } from './ingestion/ingestion.processor.js';
import { KnowledgeBaseError, KnowledgeBaseErrorCode } from './knowledge-base.errors.js';
import { lockBase } from './knowledge-bases.repository.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';
import { detectFormat } from './parsing/parse-document.js';

type NewDocument = Pick<KbDocument, 'sourceKind' | 'uploadId' | 'sourceUrl' | 'sourceText' | 'title' | 'contentType'>;

@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    @Inject(KnowledgeBasesService) private readonly bases: KnowledgeBasesService,
    @Inject(DocumentsRepository) private readonly documents: DocumentsRepository,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(UploadIngestService) private readonly uploadIngest: UploadIngestService,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(ChunksRepository) private readonly chunks: ChunksRepository,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async requireInBase(userId: string, knowledgeBaseId: string, id: string): Promise<KbDocument> {
    await this.bases.requireOwned(userId, knowledgeBaseId);
    const doc = await this.documents.findInBase(knowledgeBaseId, id);
    if (!doc) throw AppError.notFound('Document');
    return doc;
  }

  // A multipart file becomes one of the user's uploads first (same limits, quota and type
  // checks as POST /uploads), then a document of it.
  async addFile(userId: string, knowledgeBaseId: string, file: IncomingFile): Promise<DocumentResponseDto> {
    await this.bases.requireOwned(userId, knowledgeBaseId);
    const upload = await this.uploadIngest.ingest(userId, file);
    if (!detectFormat(upload.contentType, upload.filename)) {
      await this.uploads.delete(userId, upload.id);
      throw unsupported(upload.contentType);
    }
    return this.add(userId, knowledgeBaseId, {
      sourceKind: 'upload',
      uploadId: upload.id,
      sourceUrl: null,
      sourceText: null,
      title: upload.filename,
      contentType: upload.contentType,
    });
  }

  async addFromJson(userId: string, knowledgeBaseId: string, input: AddDocumentDto): Promise<DocumentResponseDto> {
    await this.bases.requireOwned(userId, knowledgeBaseId);
    const given = [input.uploadId, input.url, input.text].filter((v) => v !== undefined).length;
    if (given !== 1) {
      throw new KnowledgeBaseError(KnowledgeBaseErrorCode.InvalidSource, 'Send exactly one of uploadId, url or text (or a multipart file in the part "file")');
    }
    return this.add(userId, knowledgeBaseId, await this.describeSource(userId, input));
  }

  private async describeSource(userId: string, input: AddDocumentDto): Promise<NewDocument> {
    if (input.uploadId !== undefined) {
      const upload = await this.uploads.get(userId, input.uploadId);
      if (!detectFormat(upload.contentType, upload.filename)) throw unsupported(upload.contentType);
      return { sourceKind: 'upload', uploadId: upload.id, sourceUrl: null, sourceText: null, title: input.title ?? upload.filename, contentType: upload.contentType };
    }
    if (input.url !== undefined) {
      const url = await assertFetchableUrl(input.url, this.config.knowledge.url.allowPrivate).catch((err: unknown) => {
        throw err instanceof UnsafeAddressError ? new KnowledgeBaseError(KnowledgeBaseErrorCode.UnsafeUrl, err.message) : err;
      });
      return { sourceKind: 'url', uploadId: null, sourceUrl: url.href, sourceText: null, title: input.title ?? url.href.slice(0, 255), contentType: null };
    }
    const text = input.text!;
    const max = this.config.knowledge.parseLimits.maxCharacters;
    if (text.length > max) {
      throw new KnowledgeBaseError(KnowledgeBaseErrorCode.DocumentTooLarge, `The text has more than ${max} characters (KB_MAX_CHARACTERS)`);
    }
    const firstLine = text.trim().split('\n')[0].replace(/^#+\s*/, '').slice(0, 100);
    return { sourceKind: 'text', uploadId: null, sourceUrl: null, sourceText: text, title: input.title ?? (firstLine || 'Text'), contentType: 'text/markdown' };
  }

  private async add(userId: string, knowledgeBaseId: string, source: NewDocument): Promise<DocumentResponseDto> {
    const doc = await this.documents.insert({ id: newId(), knowledgeBaseId, userId, ...source });
    try {
      await this.enqueue(doc.id);
    } catch (err) {
      await this.documents.delete(doc.id);
      this.logger.error({ err }, 'Could not queue an ingestion job');
      throw new AppError(CommonErrorCode.Unavailable, 'The ingestion queue is unavailable; try again');
    }
    return DocumentResponseDto.from(doc);
  }

  enqueue(documentId: string): Promise<void> {
    return this.jobs.enqueue<IngestionJob>(QUEUES.documentIngestion, { documentId }, { jobId: documentId });
  }

  async get(userId: string, knowledgeBaseId: string, id: string): Promise<DocumentResponseDto> {
    return DocumentResponseDto.from(await this.requireInBase(userId, knowledgeBaseId, id));
  }

  async list(userId: string, knowledgeBaseId: string, query: PageQueryDto): Promise<Page<DocumentResponseDto>> {
    await this.bases.requireOwned(userId, knowledgeBaseId);
    const before = decodeCursor(query.cursor, { createdAt: 'timestamp', id: 'uuid' });
    const rows = await this.documents.listPage(knowledgeBaseId, query.limit, before);
    return toPage(rows, query.limit, (d) => DocumentResponseDto.from(d), (d) => ({ createdAt: d.createdAt.toISOString(), id: d.id }));
  }

  // Parses, chunks and embeds the document again (after a failure, or with new chunking).
  async reingest(userId: string, knowledgeBaseId: string, id: string): Promise<DocumentResponseDto> {
    const doc = await this.requireInBase(userId, knowledgeBaseId, id);
    if (doc.status === 'queued' || doc.status === 'processing') {
      throw new KnowledgeBaseError(KnowledgeBaseErrorCode.NotReady, 'The document is already being ingested');
    }
    if (doc.sourceKind === 'upload' && !doc.uploadId) {
      throw new KnowledgeBaseError(KnowledgeBaseErrorCode.InvalidSource, 'The upload of this document was deleted; add the file again');
    }
    await this.documents.requeue(id);
    await this.enqueue(id);
    return DocumentResponseDto.from((await this.documents.findById(id))!);
  }

  // Its chunks go with it, out of the base's statistics too; the upload it came from stays.
  async delete(userId: string, knowledgeBaseId: string, id: string): Promise<void> {
    await this.requireInBase(userId, knowledgeBaseId, id);
    await this.dataSource.transaction(async (manager) => {
      await lockBase(manager, knowledgeBaseId);
      await this.chunks.removeForDocument(manager, knowledgeBaseId, id);
      await this.documents.delete(id, manager);
    });
  }
}

function unsupported(contentType: string): KnowledgeBaseError {
  return new KnowledgeBaseError(KnowledgeBaseErrorCode.UnsupportedType, `Files of type ${contentType} cannot be added to a knowledge base`);
}
