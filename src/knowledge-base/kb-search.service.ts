import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { type ChunkHit, ChunksRepository } from './chunks.repository.js';
import { DocumentsRepository } from './documents.repository.js';
import type { SearchHitDto, SearchKnowledgeBaseDto, SearchMode, SearchResultDto } from './dto/search.dto.js';
import { EmbeddingsService, specOf } from './embeddings/embeddings.service.js';
import type { KnowledgeBase } from './entities/knowledge-base.entity.js';
import { KnowledgeBasesService } from './knowledge-bases.service.js';

// Reciprocal rank fusion constant (Cormack et al.): damps the weight of the top ranks.
const RRF_K = 60;
// Each side of a hybrid search contributes this many candidates (at least).
const HYBRID_CANDIDATES = 40;
const QUERY_EMBED_TIMEOUT_MS = 30_000;
// Full-text search leaves out words found in more chunks than this share of the base (and this
// floor), as too common to rank by; see ChunksRepository.fulltextSearch.
const COMMON_WORD_SHARE = 0.02;
const COMMON_WORD_FLOOR = 1000;

export interface ScoredChunk extends ChunkHit {
  knowledgeBaseId: string;
  documentTitle: string;
}

@Injectable()
export class KbSearchService {
  constructor(
    @Inject(KnowledgeBasesService) private readonly bases: KnowledgeBasesService,
    @Inject(ChunksRepository) private readonly chunks: ChunksRepository,
    @Inject(DocumentsRepository) private readonly documents: DocumentsRepository,
    @Inject(EmbeddingsService) private readonly embeddings: EmbeddingsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async search(userId: string, knowledgeBaseId: string, input: SearchKnowledgeBaseDto): Promise<SearchResultDto> {
    const kb = await this.bases.requireOwned(userId, knowledgeBaseId);
    const hits = await this.searchBase(kb, input.query, input.k ?? 5, input.mode ?? 'hybrid');
    return { data: hits.map(toDto) };
  }

  // Best first. Scores: cosine similarity (vector), ts_rank (fulltext), RRF (hybrid).
  async searchBase(kb: KnowledgeBase, query: string, k: number, mode: SearchMode): Promise<ScoredChunk[]> {
    const candidates = mode === 'hybrid' ? Math.max(HYBRID_CANDIDATES, k * 2) : k;
    const vector = mode === 'fulltext' ? null : await this.embedQuery(kb, query);
    const efSearch = Math.max(this.config.knowledge.efSearch, candidates);
    // Hybrid's two halves run at once, on two pooled connections (one after the other on the
    // embedded database's single one): its latency is the slower half's, not their sum.
    const [byVector, byText] = await Promise.all([
      vector
        ? this.chunks.inTransaction(async (manager) => {
            await this.chunks.setEfSearch(manager, efSearch);
            return this.chunks.vectorSearch(manager, kb.id, kb.embeddingDimensions, vector, candidates);
          })
        : [],
      mode === 'vector' ? [] : this.chunks.fulltextSearch(kb.id, query, candidates, commonAbove(kb)),
    ]);
    const ranked = mode === 'vector' ? byVector : mode === 'fulltext' ? byText : fuse([byVector, byText]);
    const top = ranked.slice(0, k);
    const titles = await this.documents.titles([...new Set(top.map((h) => h.documentId))]);
    return top.map((h) => ({ ...h, knowledgeBaseId: kb.id, documentTitle: titles.get(h.documentId) ?? '' }));
  }

  private async embedQuery(kb: KnowledgeBase, query: string): Promise<number[]> {
    const [vector] = await this.embeddings.embed(kb.userId, specOf(kb), [query], AbortSignal.timeout(QUERY_EMBED_TIMEOUT_MS));
    return vector;
  }
}

function commonAbove(kb: KnowledgeBase): number {
  return Math.max(COMMON_WORD_FLOOR, Math.floor(kb.chunkCount * COMMON_WORD_SHARE));
}

// Reciprocal rank fusion: each list adds 1 / (RRF_K + rank) for the chunks it ranks.
export function fuse(lists: ChunkHit[][]): ChunkHit[] {
  const fused = new Map<string, ChunkHit>();
  for (const list of lists) {
    list.forEach((hit, i) => {
      const score = 1 / (RRF_K + i + 1);
      const seen = fused.get(hit.chunkId);
      if (seen) seen.score += score;
      else fused.set(hit.chunkId, { ...hit, score });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.chunkId.localeCompare(b.chunkId));
}

function toDto(h: ScoredChunk): SearchHitDto {
  return { chunkId: h.chunkId, documentId: h.documentId, documentTitle: h.documentTitle, score: h.score, text: h.text, location: h.location };
}
