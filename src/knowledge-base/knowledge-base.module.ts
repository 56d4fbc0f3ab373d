import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ChunksRepository } from './chunks.repository.js';
import { DocumentsController } from './documents.controller.js';
import { DocumentsRepository } from './documents.repository.js';
import { DocumentsService } from './documents.service.js';
import { EmbeddingsService } from './embeddings/embeddings.service.js';
import { IngestionProcessor } from './ingestion/ingestion.processor.js';
import { IngestionService } from './ingestion/ingestion.service.js';
import { ParserPool } from './ingestion/parser-pool.js';
import { KbSearchService } from './kb-search.service.js';
import { KnowledgeBasesController } from './knowledge-bases.controller.js';
import { KnowledgeBasesRepository } from './knowledge-bases.repository.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';
import { KnowledgeRetrievalService } from './knowledge-retrieval.service.js';

@Module({
  imports: [ProvidersModule, UploadsModule],
  controllers: [KnowledgeBasesController, DocumentsController],
  providers: [
    KnowledgeBasesRepository,
    DocumentsRepository,
    ChunksRepository,
    EmbeddingsService,
    KnowledgeBasesService,
    DocumentsService,
    KbSearchService,
    KnowledgeRetrievalService,
    ParserPool,
    IngestionService,
    IngestionProcessor,
  ],
  exports: [KnowledgeBasesService, KnowledgeRetrievalService, KbSearchService],
})
export class KnowledgeBaseModule {}
