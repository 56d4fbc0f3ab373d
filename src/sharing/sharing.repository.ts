import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../database/update-returning.js';
import type { ContentPart } from '../providers/provider.types.js';
import { type SessionShare, type ShareMode } from './entities/session-share.entity.js';

export interface SharedView {
  share: SessionShare;
  title: string | null;
  currentLeafId: string | null;
}

export interface SharedMessageRow {
  id: string;
  role: string;
  contentParts: ContentPart[];
  content: string;
  model: string | null;
  createdAt: Date;
}

const COLUMNS = `id, session_id AS "sessionId", token_hash AS "tokenHash", mode, snapshot_leaf_id AS "snapshotLeafId",
  snapshot_at AS "snapshotAt", created_at AS "createdAt", revoked_at AS "revokedAt"`;
// The most messages a shared page shows (the ones nearest the leaf).
const MAX_SHARED_MESSAGES = 5_000;

@Injectable()
export class SharingRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async insert(share: Pick<SessionShare, 'id' | 'sessionId' | 'tokenHash' | 'mode' | 'snapshotLeafId'>): Promise<SessionShare> {
    const rows: SessionShare[] = await this.dataSource.query(
      `INSERT INTO session_shares (id, session_id, token_hash, mode, snapshot_leaf_id, snapshot_at)
       VALUES ($1, $2, $3, $4::varchar, $5, CASE WHEN $4::varchar = 'snapshot' THEN now() END) RETURNING ${COLUMNS}`,
      [share.id, share.sessionId, share.tokenHash, share.mode satisfies ShareMode, share.snapshotLeafId],
    );
    return rows[0];
  }

  listActive(sessionId: string): Promise<SessionShare[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM session_shares WHERE session_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC`,
      [sessionId],
    );
  }

  // Revokes one link (or all of the session's when id is null); the revoked ids.
  async revoke(sessionId: string, id: string | null): Promise<string[]> {
    const rows = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE session_shares SET revoked_at = now()
        WHERE session_id = $1 AND ($2::uuid IS NULL OR id = $2) AND revoked_at IS NULL RETURNING id`,
      [sessionId, id],
    );
    return rows.map((r) => r.id);
  }

  async findActiveByTokenHash(tokenHash: string): Promise<SharedView | null> {
    const rows: (SessionShare & { title: string | null; currentLeafId: string | null })[] = await this.dataSource.query(
      `SELECT sh.id, sh.session_id AS "sessionId", sh.token_hash AS "tokenHash", sh.mode, sh.snapshot_leaf_id AS "snapshotLeafId",
              sh.snapshot_at AS "snapshotAt", sh.created_at AS "createdAt", sh.revoked_at AS "revokedAt",
              s.title, s.current_leaf_id AS "currentLeafId"
         FROM session_shares sh JOIN chat_sessions s ON s.id = sh.session_id
        WHERE sh.token_hash = $1 AND sh.revoked_at IS NULL`,
      [tokenHash],
    );
    if (!rows[0]) return null;
    const { title, currentLeafId, ...share } = rows[0];
    return { share, title, currentLeafId };
  }

  // The branch from the root to `leafId`, leaving out messages created after `until`.
  async branch(sessionId: string, leafId: string, until: Date | null): Promise<SharedMessageRow[]> {
    const rows: SharedMessageRow[] = await this.dataSource.query(
      `WITH RECURSIVE chain AS (
         SELECT id, parent_id, 1 AS depth FROM messages WHERE id = $1 AND session_id = $2
         UNION ALL
         SELECT p.id, p.parent_id, c.depth + 1 FROM messages p JOIN chain c ON p.id = c.parent_id WHERE c.depth < $4
       )
       SELECT m.id, m.role, m.content_parts AS "contentParts", m.content, m.model, m.created_at AS "createdAt"
         FROM chain c JOIN messages m ON m.id = c.id
        WHERE $3::timestamptz IS NULL OR m.created_at <= $3
        ORDER BY c.depth DESC`,
      [leafId, sessionId, until, MAX_SHARED_MESSAGES],
    );
    return rows;
  }
}
