import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared-query.js';
import { isoFromUtcText } from '../database/utc-text.js';
import { updateReturning } from '../database/update-returning.js';
import { ChatSession } from './entities/chat-session.entity.js';

export type SessionRole = 'owner' | 'member';

// A session as one user sees it: their role in it decides what they may do.
export type SessionView = ChatSession & { role: SessionRole };

// A list entry: the same fields, with times already as ISO 8601 UTC strings (a page of 20 would
// otherwise parse 60 timestamps into Dates only to format them back).
export type ListedSession = Omit<SessionView, 'userId' | 'lastActivityAt' | 'createdAt' | 'updatedAt'> & {
  lastActivityAt: string;
  createdAt: string;
  updatedAt: string;
};

export interface SessionListFilter {
  archived: boolean;
  folder?: string;
  tag?: string;
  limit: number;
  // Keyset position: sessions older than this (activity, id).
  before?: { lastActivityAt: string; id: string };
}

export type SessionPatch = Partial<
  Pick<
    ChatSession,
    | 'title'
    | 'provider'
    | 'model'
    | 'systemPrompt'
    | 'temperature'
    | 'maxTokens'
    | 'contextMessages'
    | 'pinned'
    | 'archived'
    | 'folder'
    | 'tags'
    | 'knowledgeBaseIds'
    | 'currentLeafId'
  >
>;

const COLUMNS = `id, user_id, title, provider, model, system_prompt, temperature, max_tokens, context_messages, pinned,
  archived, folder, tags, knowledge_base_ids, current_leaf_id, last_activity_at, created_at, updated_at`;

// Times as UTC text ('2026-12-01 19:58:20.123456' in the ISO DateStyle that node-pg's own date
// parser also relies on): the text protocol formats them anyway, so this costs PostgreSQL nothing.
// The outer ORDER BY names s.* so it sorts the timestamps, not these text aliases.
const utcText = (column: string) => `(${column} AT TIME ZONE 'UTC')::text AS ${column}`;
// Read as arrays, in this order (toListed): pg then builds no object per row. (Reading each row
// as one json_build_array was measured too: an eighth less CPU in this process, but about as much
// more in PostgreSQL, which is the part that is hard to scale out; so not that.)
const LISTED_COLUMNS = `id, role, title, provider, model, system_prompt, temperature, max_tokens, context_messages, pinned,
  archived, folder, tags, knowledge_base_ids, current_leaf_id, ${['last_activity_at', 'created_at', 'updated_at'].map(utcText).join(', ')}`;

@Injectable()
export class SessionsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async insert(session: Omit<ChatSession, 'createdAt' | 'updatedAt' | 'lastActivityAt'>): Promise<SessionView> {
    const rows: SessionRow[] = await this.dataSource.query(
      `INSERT INTO chat_sessions (id, user_id, title, provider, model, system_prompt, temperature, max_tokens,
         context_messages, pinned, archived, folder, tags, current_leaf_id, knowledge_base_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING ${COLUMNS}`,
      [
        session.id,
        session.userId,
        session.title,
        session.provider,
        session.model,
        session.systemPrompt,
        session.temperature,
        session.maxTokens,
        session.contextMessages,
        session.pinned,
        session.archived,
        session.folder,
        session.tags,
        session.currentLeafId,
        session.knowledgeBaseIds,
      ],
    );
    return toView({ ...rows[0], role: 'owner' });
  }

  // The session when this user owns it or is a member; null for anyone else or a missing one.
  // Outside a transaction (every request that opens a session) a prepared statement.
  async findReadable(userId: string, id: string, manager?: EntityManager): Promise<SessionView | null> {
    const rows: (SessionRow & { role: SessionRole })[] = manager
      ? await manager.query(FIND_READABLE, [id, userId])
      : await preparedQuery(this.dataSource, FIND_READABLE, [id, userId]);
    return rows[0] ? toView(rows[0]) : null;
  }

  // Sessions the user owns or is a member of, newest activity first, keyset-paginated on
  // (last_activity_at, id).
  // With the user's list version, read in the same statement (one snapshot).
  async listPage(userId: string, filter: SessionListFilter): Promise<{ sessions: ListedSession[]; version: string }> {
    const params: unknown[] = [userId, filter.archived];
    if (filter.folder !== undefined) params.push(filter.folder);
    if (filter.tag !== undefined) params.push(filter.tag);
    if (filter.before) params.push(filter.before.lastActivityAt, filter.before.id);
    params.push(filter.limit + 1);
    const rows = await preparedQuery<ListedRow>(this.dataSource, { rowMode: 'array' }, listStatement(filter), params);
    const empty = rows.length === 1 && rows[0][0] === null;
    return { sessions: empty ? [] : rows.map(toListed), version: rows[0][LIST_VERSION_COLUMN] };
  }

  // Changes (in the writing transaction, by triggers) with anything the user's list shows.
  async listVersion(userId: string): Promise<string> {
    const rows = await preparedQuery<{ version: string }>(this.dataSource, LIST_VERSION, [userId]);
    return rows[0].version;
  }

  async update(id: string, patch: SessionPatch, manager?: EntityManager): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.manager(manager).update(ChatSession, { id }, patch);
  }

  // A new exchange: the session shows the new branch and moves to the top of the list.
  async recordActivity(id: string, currentLeafId: string | null, manager?: EntityManager): Promise<void> {
    await this.manager(manager).query(
      `UPDATE chat_sessions SET current_leaf_id = $2, last_activity_at = date_trunc('milliseconds', now()), updated_at = now() WHERE id = $1`,
      [id, currentLeafId],
    );
  }

  // Only fills a title nobody has set meanwhile.
  async setTitleIfUnset(id: string, title: string): Promise<boolean> {
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE chat_sessions SET title = $2, updated_at = now() WHERE id = $1 AND title IS NULL RETURNING id`,
      [id, title],
    );
    return rows.length > 0;
  }

  // The ids of the replies that were generating in it (their runs are to be stopped), or null
  // when there was no such session of this user. Both parts of the statement see one snapshot.
  async delete(userId: string, id: string): Promise<string[] | null> {
    const rows: { streaming: string[] }[] = await this.dataSource.query(
      `WITH streaming AS (SELECT id FROM messages WHERE session_id = $1 AND status = 'streaming'),
            gone AS (DELETE FROM chat_sessions WHERE id = $1 AND user_id = $2 RETURNING id)
       SELECT coalesce((SELECT array_agg(id::text) FROM streaming), '{}') AS streaming FROM gone`,
      [id, userId],
    );
    return rows[0]?.streaming ?? null;
  }
}

// 0 for a user none of whose sessions changed since versions began (the sequence starts at 1).
const USER_LIST_VERSION = `coalesce((SELECT version FROM session_list_versions WHERE user_id = $1), 0)::text`;
const LIST_VERSION = `SELECT ${USER_LIST_VERSION} AS version`;

const FIND_READABLE = `SELECT ${COLUMNS}, CASE WHEN user_id = $2 THEN 'owner' ELSE 'member' END AS role FROM chat_sessions s
  WHERE id = $1 AND (user_id = $2 OR EXISTS (SELECT 1 FROM session_members m WHERE m.session_id = s.id AND m.user_id = $2))`;

// The list statement of each filter shape (which optional filters are set), built once: the
// same text object on every call keeps the prepared-statement lookup by text cheap (a text built
// per call is flattened and hashed anew, a twentieth of the request's CPU).
const listStatements: string[] = [];

function listStatement(filter: SessionListFilter): string {
  const shape = (filter.folder !== undefined ? 1 : 0) | (filter.tag !== undefined ? 2 : 0) | (filter.before ? 4 : 0);
  return (listStatements[shape] ??= buildListStatement(filter));
}

// Placeholders in the order listPage pushes the values: user, archived, [folder], [tag],
// [before activity, before id], limit.
function buildListStatement(filter: SessionListFilter): string {
  let n = 2;
  let where = 'archived = $2';
  if (filter.folder !== undefined) where += ` AND folder = $${++n}`;
  if (filter.tag !== undefined) where += ` AND $${++n} = ANY(tags)`;
  if (filter.before) {
    where += ` AND (last_activity_at, id) < ($${n + 1}::timestamptz, $${n + 2}::uuid)`;
    n += 2;
  }
  const limit = `$${n + 1}`;
  // Two index scans (own sessions, memberships) merged, rather than one OR that scans both. The
  // user's list version comes in the same snapshot; joined to the page, so an empty page is one
  // row of nulls with the version.
  return `SELECT ${LISTED_COLUMNS}, v.list_version
       FROM (SELECT ${USER_LIST_VERSION} AS list_version) v
       LEFT JOIN (
         (SELECT ${COLUMNS}, 'owner' AS role FROM chat_sessions WHERE user_id = $1 AND ${where}
           ORDER BY last_activity_at DESC, id DESC LIMIT ${limit})
         UNION ALL
         (SELECT ${COLUMNS}, 'member' AS role FROM chat_sessions
           WHERE id IN (SELECT session_id FROM session_members WHERE user_id = $1) AND ${where}
           ORDER BY last_activity_at DESC, id DESC LIMIT ${limit})
       ) s ON true
       ORDER BY s.last_activity_at DESC, s.id DESC LIMIT ${limit}`;
}

interface SessionRow {
  id: string;
  user_id: string;
  title: string | null;
  provider: string;
  model: string;
  system_prompt: string | null;
  temperature: number | null;
  max_tokens: number | null;
  context_messages: number | null;
  pinned: boolean;
  archived: boolean;
  folder: string | null;
  tags: string[];
  knowledge_base_ids: string[];
  current_leaf_id: string | null;
  last_activity_at: Date;
  created_at: Date;
  updated_at: Date;
}

function toView(r: SessionRow & { role: SessionRole }): SessionView {
  return Object.assign(toSession(r), { role: r.role });
}

function toSession(r: SessionRow): ChatSession {
  return Object.assign(new ChatSession(), {
    id: r.id,
    userId: r.user_id,
    title: r.title,
    provider: r.provider,
    model: r.model,
    systemPrompt: r.system_prompt,
    temperature: r.temperature,
    maxTokens: r.max_tokens,
    contextMessages: r.context_messages,
    pinned: r.pinned,
    archived: r.archived,
    folder: r.folder,
    tags: r.tags,
    knowledgeBaseIds: r.knowledge_base_ids,
    currentLeafId: r.current_leaf_id,
    lastActivityAt: r.last_activity_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

type ListedRow = [
  id: string,
  role: SessionRole,
  title: string | null,
  provider: string,
  model: string,
  systemPrompt: string | null,
  temperature: number | null,
  maxTokens: number | null,
  contextMessages: number | null,
  pinned: boolean,
  archived: boolean,
  folder: string | null,
  tags: string[],
  knowledgeBaseIds: string[],
  currentLeafId: string | null,
  lastActivityAt: string,
  createdAt: string,
  updatedAt: string,
  listVersion: string,
];
const LIST_VERSION_COLUMN = 18;

function toListed(r: ListedRow): ListedSession {
  const [id, role, title, provider, model, systemPrompt, temperature, maxTokens, contextMessages] = r;
  const [, , , , , , , , , pinned, archived, folder, tags, knowledgeBaseIds, currentLeafId, lastActivityAt, createdAt, updatedAt] = r;
  return {
    id,
    role,
    title,
    provider,
    model,
    systemPrompt,
    temperature,
    maxTokens,
    contextMessages,
    pinned,
    archived,
    folder,
    tags,
    knowledgeBaseIds,
    currentLeafId,
    lastActivityAt: isoFromUtcText(lastActivityAt),
    createdAt: isoFromUtcText(createdAt),
    updatedAt: isoFromUtcText(updatedAt),
  };
}
