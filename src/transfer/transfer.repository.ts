import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ContentPart } from '../providers/provider.types.js';

export interface ArchiveSession {
  id: string;
  title: string | null;
  provider: string;
  model: string;
  systemPrompt: string | null;
  temperature: number | null;
  maxTokens: number | null;
  contextMessages: number | null;
  pinned: boolean;
  archived: boolean;
  folder: string | null;
  tags: string[];
  currentLeafId: string | null;
  lastActivityAt: Date;
  createdAt: Date;
}

export interface ArchiveMessage {
  id: string;
  parentId: string | null;
  role: 'user' | 'assistant';
  status: string;
  contentParts: ContentPart[];
  content: string;
  provider: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  usageEstimated: boolean;
  createdAt: Date;
}

const SESSION_COLUMNS = `id, title, provider, model, system_prompt AS "systemPrompt", temperature, max_tokens AS "maxTokens",
  context_messages AS "contextMessages", pinned, archived, folder, tags, current_leaf_id AS "currentLeafId",
  last_activity_at AS "lastActivityAt", created_at AS "createdAt"`;
const MESSAGE_COLUMNS = `id, parent_id AS "parentId", role, status, content_parts AS "contentParts", content, provider, model,
  input_tokens AS "inputTokens", output_tokens AS "outputTokens", reasoning_tokens AS "reasoningTokens",
  usage_estimated AS "usageEstimated", created_at AS "createdAt"`;
// Rows per INSERT: well under PostgreSQL's 65535 parameters.
const BATCH = 500;

// Whole-conversation reads and bulk writes for export and import.
@Injectable()
export class TransferRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  // The user's own sessions in id order (keyset), for the bulk export.
  pageOwnedSessions(userId: string, afterId: string | null, limit: number): Promise<ArchiveSession[]> {
    return this.dataSource.query(
      `SELECT ${SESSION_COLUMNS} FROM chat_sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3`,
      [userId, afterId, limit],
    );
  }

  // Every message of a session (all branches), oldest first.
  sessionMessages(sessionId: string): Promise<ArchiveMessage[]> {
    return this.dataSource.query(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY created_at, id`, [sessionId]);
  }

  insertSessions(userId: string, sessions: ArchiveSession[], manager: EntityManager): Promise<void> {
    return this.insertBatched(
      manager,
      `INSERT INTO chat_sessions (id, user_id, title, provider, model, system_prompt, temperature, max_tokens, context_messages,
         pinned, archived, folder, tags, last_activity_at, created_at) VALUES`,
      sessions.map((s) => [
        s.id, userId, s.title, s.provider, s.model, s.systemPrompt, s.temperature, s.maxTokens, s.contextMessages,
        s.pinned, s.archived, s.folder, s.tags, s.lastActivityAt, s.createdAt,
      ]),
      ['uuid', 'uuid', 'varchar', 'varchar', 'varchar', 'text', 'real', 'integer', 'integer', 'boolean', 'boolean', 'varchar', 'text[]', 'timestamptz', 'timestamptz'],
    );
  }

  // Parents must come before their children (in the same or an earlier batch). The importer is
  // the author of the imported user messages.
  insertMessages(userId: string, sessionId: string, messages: ArchiveMessage[], manager: EntityManager): Promise<void> {
    return this.insertBatched(
      manager,
      `INSERT INTO messages (id, session_id, parent_id, author_id, role, status, content_parts, content, provider, model,
         input_tokens, output_tokens, reasoning_tokens, usage_estimated, created_at, updated_at) VALUES`,
      messages.map((m) => [
        m.id, sessionId, m.parentId, m.role === 'user' ? userId : null, m.role, m.status, JSON.stringify(m.contentParts), m.content, m.provider, m.model,
        m.inputTokens, m.outputTokens, m.reasoningTokens, m.usageEstimated, m.createdAt, m.createdAt,
      ]),
      ['uuid', 'uuid', 'uuid', 'uuid', 'varchar', 'varchar', 'jsonb', 'text', 'varchar', 'varchar', 'integer', 'integer', 'integer', 'boolean', 'timestamptz', 'timestamptz'],
    );
  }

  async setLeaves(leaves: { sessionId: string; leafId: string }[], manager: EntityManager): Promise<void> {
    for (let i = 0; i < leaves.length; i += BATCH) {
      const batch = leaves.slice(i, i + BATCH);
      await manager.query(
        `UPDATE chat_sessions s SET current_leaf_id = v.leaf FROM unnest($1::uuid[], $2::uuid[]) AS v(id, leaf) WHERE s.id = v.id`,
        [batch.map((l) => l.sessionId), batch.map((l) => l.leafId)],
      );
    }
  }

  private async insertBatched(manager: EntityManager, head: string, rows: unknown[][], types: string[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const values = batch.map((_row, r) => `(${types.map((type, c) => `$${r * types.length + c + 1}::${type}`).join(', ')})`);
      await manager.query(`${head} ${values.join(', ')}`, batch.flat());
    }
  }
}
