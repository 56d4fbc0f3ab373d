import { Inject, Injectable } from '@nestjs/common';
import { decodeCursor, toPage } from '../common/pagination/cursor.js';
import type { SearchHitDto, SearchPageDto, SearchQueryDto } from './dto/search.dto.js';
import { MARK_END, MARK_START, type SearchHitRow, SearchRepository } from './search.repository.js';

@Injectable()
export class SearchService {
  constructor(@Inject(SearchRepository) private readonly repository: SearchRepository) {}

  async search(userId: string, query: SearchQueryDto): Promise<SearchPageDto> {
    const after = decodeCursor(query.cursor, { rank: 'number', id: 'uuid' });
    const rows = await this.repository.search(userId, query.q, query.limit + 1, after);
    return toPage(rows, query.limit, toHit, (r) => ({ rank: String(r.rank), id: r.id }));
  }
}

function toHit(r: SearchHitRow): SearchHitDto {
  return {
    type: r.type,
    sessionId: r.session_id,
    sessionTitle: r.session_title,
    ...(r.type === 'message' ? { messageId: r.id, role: r.role ?? undefined } : {}),
    snippet: highlight(r.snippet),
    rank: r.rank,
    createdAt: r.created_at.toISOString(),
  };
}

// User text is escaped; only the marks PostgreSQL placed become tags.
export function highlight(headline: string): string {
  return escapeHtml(headline).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
