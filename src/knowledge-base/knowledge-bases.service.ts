import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { decodeCursor, type Page, type PageQueryDto, toPage } from '../common/pagination/cursor.js';
import type { ChunkingSettingsDto, CreateKnowledgeBaseDto, UpdateKnowledgeBaseDto } from './dto/knowledge-base.dto.js';
import { KnowledgeBaseResponseDto } from './dto/knowledge-base.dto.js';
import { EmbeddingsService } from './embeddings/embeddings.service.js';
import type { KnowledgeBase } from './entities/knowledge-base.entity.js';
import { KnowledgeBaseError, KnowledgeBaseErrorCode } from './knowledge-base.errors.js';
import { KnowledgeBasesRepository } from './knowledge-bases.repository.js';

export const DEFAULT_CHUNKING = { size: 512, overlap: 64 };
// A probe embedding at creation must not hold the request forever.
const PROBE_TIMEOUT_MS = 30_000;

@Injectable()
export class KnowledgeBasesService {
  constructor(
    @Inject(KnowledgeBasesRepository) private readonly bases: KnowledgeBasesRepository,
    @Inject(EmbeddingsService) private readonly embeddings: EmbeddingsService,
  ) {}

  // Every access goes through here: another user's knowledge base is a 404.
  async requireOwned(userId: string, id: string): Promise<KnowledgeBase> {
    const kb = await this.bases.findOwned(userId, id);
    if (!kb) throw AppError.notFound('Knowledge base');
    return kb;
  }

  // For sessions (and agents) naming knowledge bases: all must be the user's own (404 otherwise).
  async requireAllOwned(userId: string, ids: string[]): Promise<KnowledgeBase[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const found = await this.bases.findOwnedMany(userId, unique);
    if (found.length !== unique.length) {
      const missing = unique.find((id) => !found.some((kb) => kb.id === id));
      throw AppError.notFound(`Knowledge base ${missing}`);
    }
    return unique.map((id) => found.find((kb) => kb.id === id)!);
  }

  async create(userId: string, input: CreateKnowledgeBaseDto): Promise<KnowledgeBaseResponseDto> {
    const chunking = resolveChunking(input.chunking, DEFAULT_CHUNKING);
    const spec = await this.embeddings.resolveSpec(userId, input.embedding, AbortSignal.timeout(PROBE_TIMEOUT_MS));
    const kb = await this.bases.create({
      id: newId(),
      userId,
      name: input.name.trim(),
      description: input.description ?? '',
      embeddingProvider: spec.provider,
      embeddingModel: spec.model,
      embeddingDimensions: spec.dimensions,
      embeddingSendDimensions: spec.sendDimensions,
      chunkSize: chunking.size,
      chunkOverlap: chunking.overlap,
    });
    return KnowledgeBaseResponseDto.from(kb);
  }

  async get(userId: string, id: string): Promise<KnowledgeBaseResponseDto> {
    return KnowledgeBaseResponseDto.from(await this.requireOwned(userId, id));
  }

  async list(userId: string, query: PageQueryDto): Promise<Page<KnowledgeBaseResponseDto>> {
    const before = decodeCursor(query.cursor, { createdAt: 'timestamp', id: 'uuid' });
    const rows = await this.bases.listPage(userId, query.limit, before);
    return toPage(rows, query.limit, (kb) => KnowledgeBaseResponseDto.from(kb), (kb) => ({ createdAt: kb.createdAt.toISOString(), id: kb.id }));
  }

  async update(userId: string, id: string, input: UpdateKnowledgeBaseDto): Promise<KnowledgeBaseResponseDto> {
    const kb = await this.requireOwned(userId, id);
    const chunking = resolveChunking(input.chunking, { size: kb.chunkSize, overlap: kb.chunkOverlap });
    const updated = await this.bases.update(kb, {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      chunkSize: chunking.size,
      chunkOverlap: chunking.overlap,
    });
    return KnowledgeBaseResponseDto.from(updated);
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!(await this.bases.delete(userId, id))) throw AppError.notFound('Knowledge base');
  }
}

function resolveChunking(input: ChunkingSettingsDto | undefined, current: { size: number; overlap: number }): { size: number; overlap: number } {
  const size = input?.size ?? current.size;
  const overlap = input?.overlap ?? Math.min(current.overlap, Math.floor(size / 4));
  if (overlap * 2 >= size) {
    throw new KnowledgeBaseError(KnowledgeBaseErrorCode.InvalidChunking, `chunking.overlap (${overlap}) must be less than half of chunking.size (${size})`);
  }
  return { size, overlap };
}
