import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Citation } from './citation.js';
import { KbSearchService, type ScoredChunk } from './kb-search.service.js';
import { KnowledgeBasesRepository } from './knowledge-bases.repository.js';
import type { SourceLocation } from './parsing/parsed-document.js';

const SNIPPET_CHARS = 300;

export interface Retrieval {
  citations: Citation[];
  // Instructions plus the numbered sources, for the system prompt.
  context: string;
}

// RAG for chat: the best chunks of a session's knowledge bases for the user's message, within a
// token budget, numbered so the reply can cite them as [n].
@Injectable()
export class KnowledgeRetrievalService {
  constructor(
    @Inject(KnowledgeBasesRepository) private readonly bases: KnowledgeBasesRepository,
    @Inject(KbSearchService) private readonly search: KbSearchService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  // Tokens a session with knowledge bases keeps free in the prompt for the sources.
  get tokenBudget(): number {
    return this.config.knowledge.ragTokenBudget;
  }

  async retrieve(userId: string, knowledgeBaseIds: string[], query: string): Promise<Retrieval | null> {
    if (knowledgeBaseIds.length === 0 || !query.trim()) return null;
    // Only bases the user still owns (a base deleted since it was attached is skipped).
    const bases = await this.bases.findOwnedMany(userId, knowledgeBaseIds);
    const { ragTopK } = this.config.knowledge;
    const hits: ScoredChunk[] = [];
    for (const kb of bases) hits.push(...(await this.search.searchBase(kb, query, ragTopK, 'hybrid')));
    hits.sort((a, b) => b.score - a.score);

    const chosen: ScoredChunk[] = [];
    let tokens = 0;
    for (const hit of hits) {
      if (chosen.length >= ragTopK) break;
      if (tokens + hit.tokenCount > this.tokenBudget) continue;
      tokens += hit.tokenCount;
      chosen.push(hit);
    }
    if (chosen.length === 0) return { citations: [], context: '' };
    const citations = chosen.map((h, i) => ({
      index: i + 1,
      knowledgeBaseId: h.knowledgeBaseId,
      documentId: h.documentId,
      documentTitle: h.documentTitle,
      chunkId: h.chunkId,
      location: h.location,
      snippet: h.text.length > SNIPPET_CHARS ? `${h.text.slice(0, SNIPPET_CHARS)}…` : h.text,
      score: h.score,
    }));
    return { citations, context: renderContext(chosen) };
  }
}

function renderContext(chunks: ScoredChunk[]): string {
  const sources = chunks.map((c, i) => {
    const where = describeLocation(c.location);
    return `[${i + 1}] ${c.documentTitle}${where ? ` (${where})` : ''}\n${c.text}`;
  });
  return [
    "Sources from the user's knowledge bases follow. Use them when they help answer, cite them by their number like [1], and say so when they do not contain the answer.",
    ...sources,
  ].join('\n\n');
}

export function describeLocation(l: SourceLocation): string {
  const parts: string[] = [];
  if (l.page !== undefined) parts.push(`page ${l.page}`);
  if (l.slide !== undefined) parts.push(`slide ${l.slide}`);
  if (l.sheet !== undefined) parts.push(`sheet ${l.sheet}`);
  if (l.rows) parts.push(`rows ${l.rows[0]}-${l.rows[1]}`);
  if (l.chapter !== undefined) parts.push(l.chapter);
  if (l.headingPath?.length) parts.push(l.headingPath.join(' > '));
  if (l.lines) parts.push(`lines ${l.lines[0]}-${l.lines[1]}`);
  return parts.join(', ');
}
