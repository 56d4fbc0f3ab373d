import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { JobContext } from '../../jobs/job-queue.js';
import { ProviderError, UnsafeAddressError } from '../../providers/provider-error.js';
import { UserEvents } from '../../streaming/user-events.js';
import { UploadsService } from '../../uploads/uploads.service.js';
import { ChunksRepository } from '../chunks.repository.js';
import { DocumentsRepository } from '../documents.repository.js';
import { KnowledgeBasesRepository, lockBase } from '../knowledge-bases.repository.js';
import { EmbeddingsService, specOf } from '../embeddings/embeddings.service.js';
import type { KbDocument } from '../entities/kb-document.entity.js';
import { DocumentParseError } from '../parsing/parsed-document.js';
import { loadSource } from './document-source.js';
import { ParserPool } from './parser-pool.js';
import { UrlFetchError } from './url-fetcher.js';

// Progress milestones: reading and parsing are quick next to embedding, which gets 30-90.
const PROGRESS = { started: 5, loaded: 10, chunked: 30, embedded: 90 };

// parse → chunk → embed → index for one document. Idempotent: the chunks are replaced (with
// ids derived from the document and position) in the same transaction that marks it ready.
@Injectable()
export class IngestionService {
  private readonly logger = new Logger(IngestionService.name);

  constructor(
    @Inject(KnowledgeBasesRepository) private readonly bases: KnowledgeBasesRepository,
    @Inject(DocumentsRepository) private readonly documents: DocumentsRepository,
    @Inject(ChunksRepository) private readonly chunks: ChunksRepository,
    @Inject(EmbeddingsService) private readonly embeddings: EmbeddingsService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
    @Inject(ParserPool) private readonly parsers: ParserPool,
    @Inject(UserEvents) private readonly userEvents: UserEvents,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async ingest(documentId: string, context: JobContext): Promise<void> {
    const doc = await this.documents.findById(documentId);
    // Deleted, or finished by an earlier delivery of the same job.
    if (!doc || doc.status === 'ready' || doc.status === 'failed') return;
    try {
      await this.run(doc, context);
    } catch (err) {
      if (context.signal.aborted) throw err;
      const permanent = isPermanent(err);
      if (!permanent && context.attempt < context.maxAttempts) throw err;
      const reason = errorMessage(err);
      this.logger.warn({ err, documentId }, 'Document ingestion failed');
      const failed = await this.documents.markFailed(documentId, permanent ? reason : `Failed after ${context.attempt} attempts: ${reason}`);
      if (failed) await this.announce(failed);
    }
  }

  private async run(doc: KbDocument, context: JobContext): Promise<void> {
    const kb = await this.bases.findById(doc.knowledgeBaseId);
    if (!kb) return;
    await this.progress(doc, PROGRESS.started);
    const source = await loadSource(doc, this.uploads, this.config.knowledge, this.config.uploads.maxBytes);
    await this.progress(doc, PROGRESS.loaded);
    const { characters, chunks } = await this.parsers.parse({
      ...source,
      limits: this.config.knowledge.parseLimits,
      chunking: { size: kb.chunkSize, overlap: kb.chunkOverlap },
    });
    if (chunks.length === 0) throw new DocumentParseError('No text could be extracted');
    await this.progress(doc, PROGRESS.chunked);
    const span = PROGRESS.embedded - PROGRESS.chunked;
    const vectors = await this.embeddings.embed(doc.userId, specOf(kb), chunks.map((c) => c.text), context.signal, (done) =>
      this.progress(doc, PROGRESS.chunked + Math.floor((span * done) / chunks.length)),
    );
    const ready = await this.dataSource.transaction(async (manager) => {
      // A concurrent delete of the document or the base either waits for this or has happened.
      await lockBase(manager, kb.id);
      const rows: { id: string }[] = await manager.query(`SELECT id FROM kb_documents WHERE id = $1 AND status IN ('queued', 'processing') FOR UPDATE`, [doc.id]);
      if (rows.length === 0) return false;
      await this.chunks.replaceForDocument(
        manager,
        kb.id,
        doc.id,
        chunks.map((c, i) => ({ ordinal: c.ordinal, text: c.text, tokenCount: c.tokenCount, location: c.location, embedding: vectors[i] })),
      );
      await manager.query(
        `UPDATE kb_documents SET status = 'ready', progress = 100, error = NULL, chunk_count = $2, token_count = $3,
           character_count = $4, updated_at = now() WHERE id = $1`,
        [doc.id, chunks.length, chunks.reduce((n, c) => n + c.tokenCount, 0), characters],
      );
      return true;
    });
    if (ready) await this.announce(Object.assign(doc, { status: 'ready', progress: 100, error: null }));
  }

  private async progress(doc: KbDocument, progress: number): Promise<void> {
    if (progress <= doc.progress && doc.status === 'processing') return;
    if (!(await this.documents.setProgress(doc.id, 'processing', progress))) return;
    await this.announce(Object.assign(doc, { status: 'processing', progress }));
  }

  // document.progress to the owner's WebSocket connections.
  private async announce(doc: KbDocument): Promise<void> {
    const frame = {
      type: 'document.progress',
      documentId: doc.id,
      knowledgeBaseId: doc.knowledgeBaseId,
      status: doc.status,
      progress: doc.progress,
      error: doc.error,
    };
    await this.userEvents.publish(doc.userId, frame).catch((err: unknown) => {
      this.logger.warn({ err }, 'Could not publish document progress');
    });
  }
}

// Input that will fail the same way every time: no point retrying.
function isPermanent(err: unknown): boolean {
  if (err instanceof DocumentParseError || err instanceof UnsafeAddressError) return true;
  if (err instanceof UrlFetchError) return err.permanent;
  if (err instanceof ProviderError) return !err.retryable;
  if (err instanceof DomainError) return err.status < 500 && err.status !== 429;
  return false;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
