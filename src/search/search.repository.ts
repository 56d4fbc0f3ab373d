import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface SearchHitRow {
  type: 'message' | 'session';
  id: string;
  session_id: string;
  session_title: string | null;
  role: 'user' | 'assistant' | null;
  snippet: string;
  rank: number;
  created_at: Date;
}

// Marks around matches in ts_headline output: private-use characters, removed from the text
// first, so the service can HTML-escape the text and then turn only these into <mark> tags.
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "`;
// Headlines parse the text again: only its start is used for long messages.
const HEADLINE_CHARS = 20_000;

// The sessions a user may read (owner or group member), as a predicate on a chat_sessions alias
// with the user id in $1.
export function readableSessionPredicate(alias = 's'): string {
  return `(${alias}.user_id = $1 OR EXISTS (SELECT 1 FROM session_members sm WHERE sm.session_id = ${alias}.id AND sm.user_id = $1))`;
}

@Injectable()
export class SearchRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  // Messages and session titles matching the query, best first, keyset-paged on (rank, id).
  search(userId: string, query: string, limit: number, after?: { rank: string; id: string }): Promise<SearchHitRow[]> {
    return this.dataSource.query(
      `WITH q AS (SELECT websearch_to_tsquery('simple', $2) AS query),
       hits AS (
         SELECT 'message'::text AS type, m.id, m.session_id, m.role::text AS role, m.content AS body, m.created_at,
                ts_rank_cd(m.search_vector, q.query) AS rank
           FROM messages m JOIN chat_sessions s ON s.id = m.session_id, q
          WHERE m.search_vector @@ q.query AND ${readableSessionPredicate('s')}
         UNION ALL
         SELECT 'session', s.id, s.id, NULL, coalesce(s.title, ''), s.created_at, ts_rank_cd(s.search_vector, q.query)
           FROM chat_sessions s, q
          WHERE s.search_vector @@ q.query AND ${readableSessionPredicate('s')}
       ),
       page AS (
         SELECT * FROM hits
          WHERE $3::real IS NULL OR (rank, id) < ($3::real, $4::uuid)
          ORDER BY rank DESC, id DESC
          LIMIT $5
       )
       SELECT p.type, p.id, p.session_id, s.title AS session_title, p.role, p.rank, p.created_at,
              ts_headline('simple', translate(left(p.body, ${HEADLINE_CHARS}), $6, ''), q.query, $7) AS snippet
         FROM page p JOIN chat_sessions s ON s.id = p.session_id, q
        ORDER BY p.rank DESC, p.id DESC`,
      [userId, query, after?.rank ?? null, after?.id ?? null, limit, MARK_START + MARK_END, HEADLINE_OPTIONS],
    );
  }
}
