import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { decodeCursor, toPage } from '../common/pagination/cursor.js';
import { AppConfig } from '../config/app-config.js';
import { type ListSessionsQueryDto, SESSION_PAGE_SCHEMA, serializeSessionPage, SessionResponseDto } from './dto/session.dto.js';
import { SessionListCache } from './session-list-cache.js';
import { SessionsRepository } from './sessions.repository.js';

export interface ListedPage {
  // The page as JSON, ready to send.
  body: string;
  // Weak ETag: the user and their list version (and the page's shape, which a deploy may change).
  etag: string;
}

const SHAPE_TAG = createHash('sha256').update(JSON.stringify(SESSION_PAGE_SCHEMA)).digest('hex').slice(0, 8);

// GET /sessions, the route every client opens with and polls. Pages are kept serialized per user
// and query; a kept page is sent only if the user's list version (one primary-key read) is still
// the one it was read at. The version changes in the same transaction as any write to what the
// list shows (database triggers), so a kept page is never stale, whichever instance wrote.
@Injectable()
export class SessionListService {
  private readonly cache?: SessionListCache;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
  ) {
    if (config.sessionListCacheBytes > 0) this.cache = new SessionListCache(config.sessionListCacheBytes);
  }

  // `revalidate` (the request said Cache-Control: no-cache) reads the page afresh.
  async page(userId: string, query: ListSessionsQueryDto, revalidate = false): Promise<ListedPage> {
    const key = JSON.stringify([userId, query.archived, query.folder ?? null, query.tag ?? null, query.cursor ?? null, query.limit]);
    const kept = revalidate ? undefined : this.cache?.get(key);
    if (kept && kept.version === (await this.sessions.listVersion(userId))) return { body: kept.body, etag: etagOf(userId, kept.version) };

    const before = decodeCursor(query.cursor, { lastActivityAt: 'timestamp', id: 'uuid' });
    const { sessions, version } = await this.sessions.listPage(userId, {
      archived: query.archived,
      folder: query.folder,
      tag: query.tag,
      limit: query.limit,
      before,
    });
    const page = toPage(sessions, query.limit, (s) => SessionResponseDto.fromListed(s), (s) => ({ lastActivityAt: s.lastActivityAt, id: s.id }));
    const body = serializeSessionPage(page);
    this.cache?.set(key, { version, body });
    return { body, etag: etagOf(userId, version) };
  }
}

function etagOf(userId: string, version: string): string {
  return `W/"${SHAPE_TAG}-${userId}-${version}"`;
}
