import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Citation } from '../knowledge-base/citation.js';
import type { ContentPart } from '../providers/provider.types.js';
import type { PartialReply } from './generation/generation-run.js';
import { preparedQuery } from '../database/prepared-query.js';
import { updateReturning } from '../database/update-returning.js';
import { Message, type MessageError, type MessageStatus } from './entities/message.entity.js';

export type NewMessage = Pick<
  Message,
  'id' | 'sessionId' | 'parentId' | 'authorId' | 'role' | 'status' | 'contentParts' | 'content' | 'provider' | 'model'
>;

export interface FinalState {
  status: Exclude<MessageStatus, 'streaming'>;
  contentParts: ContentPart[];
  content: string;
  provider: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  // The counts are our tokenizer's estimate, the vendor having given none.
  usageEstimated: boolean;
  timeToFirstTokenMs: number | null;
  finishReason: string | null;
  error: MessageError | null;
  lastSeq: number;
}

export const COLUMNS = `id, session_id, parent_id, author_id, role, status, content_parts, content, provider, model, input_tokens,
  output_tokens, reasoning_tokens, usage_estimated, time_to_first_token_ms, finish_reason, error, citations, last_seq, heartbeat_at, created_at, updated_at`;

const PARTIALS_PER_STATEMENT = 100;

// The path from the root to $1, at most $2 messages (the ones nearest it), root first.
const BRANCH_TO = `WITH RECURSIVE chain AS (
    SELECT ${COLUMNS}, 1 AS depth FROM messages WHERE id = $1
    UNION ALL
    SELECT ${prefixed('p')}, c.depth + 1 FROM messages p JOIN chain c ON p.id = c.parent_id WHERE c.depth < $2
  )
  SELECT * FROM chain ORDER BY depth DESC`;

// Parts that are the content's text and nothing else (what most replies are while streaming).
// The stored parts of a text-only reply, as SQL over a text expression.
const TEXT_PARTS = (text: string) =>
  `CASE WHEN ${text} = '' THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('type', 'text', 'text', ${text})) END`;

// Every query of the message tree. Lookups by id are scoped to the owner through the session.
@Injectable()
export class MessagesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // All rows in one statement, returned in the order given.
  async insert(messages: NewMessage[], manager: EntityManager): Promise<Message[]> {
    const params: unknown[] = [];
    const rows: MessageRow[] = await manager.query(`${insertMessagesSql(messages, params)} RETURNING ${COLUMNS}`, params);
    return inOrder(messages, rows);
  }

  // Only while the reply streams: a late write can't touch a finished reply.
  async setCitations(id: string, citations: Citation[]): Promise<void> {
    await this.dataSource.query(`UPDATE messages SET citations = $2::jsonb WHERE id = $1 AND status = 'streaming'`, [id, JSON.stringify(citations)]);
  }

  async findForUser(userId: string, id: string, manager?: EntityManager): Promise<Message | null> {
    const rows: MessageRow[] = await this.m(manager).query(
      `SELECT ${prefixed('m')} FROM messages m JOIN chat_sessions s ON s.id = m.session_id
        WHERE m.id = $1
          AND (s.user_id = $2 OR EXISTS (SELECT 1 FROM session_members sm WHERE sm.session_id = s.id AND sm.user_id = $2))`,
      [id, userId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async branchTo(leafId: string, limit: number, manager?: EntityManager): Promise<Message[]> {
    const rows: MessageRow[] = manager ? await manager.query(BRANCH_TO, [leafId, limit]) : await preparedQuery(this.dataSource, BRANCH_TO, [leafId, limit]);
    return rows.map(toMessage);
  }

  // Children of each given parent (null: the session's roots), oldest first.
  async childrenOf(sessionId: string, parentIds: (string | null)[]): Promise<Map<string | null, string[]>> {
    const ids = parentIds.filter((p): p is string => p !== null);
    const rows: { id: string; parent_id: string | null }[] = await this.dataSource.query(
      `SELECT id, parent_id FROM messages
        WHERE session_id = $1 AND (parent_id = ANY($2::uuid[]) OR ($3 AND parent_id IS NULL))
        ORDER BY created_at, id`,
      [sessionId, ids, parentIds.includes(null)],
    );
    const children = new Map<string | null, string[]>();
    for (const row of rows) {
      const list = children.get(row.parent_id) ?? [];
      list.push(row.id);
      children.set(row.parent_id, list);
    }
    return children;
  }

  // The most recent leaf among the message and its descendants (or the session's newest leaf).
  async newestLeafUnder(sessionId: string, messageId: string | null, manager?: EntityManager): Promise<string | null> {
    const rows: { id: string }[] = await this.m(manager).query(
      `WITH RECURSIVE sub AS (
         SELECT id, created_at FROM messages WHERE session_id = $1 AND ($2::uuid IS NULL OR id = $2)
         UNION
         SELECT c.id, c.created_at FROM messages c JOIN sub ON c.parent_id = sub.id
       )
       SELECT s.id FROM sub s WHERE NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_id = s.id)
       ORDER BY s.created_at DESC, s.id DESC LIMIT 1`,
      [sessionId, messageId],
    );
    return rows[0]?.id ?? null;
  }

  async isInSubtree(rootId: string, candidateId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(manager).query(
      `WITH RECURSIVE sub AS (
         SELECT id FROM messages WHERE id = $1
         UNION ALL
         SELECT c.id FROM messages c JOIN sub ON c.parent_id = sub.id
       )
       SELECT 1 FROM sub WHERE id = $2`,
      [rootId, candidateId],
    );
    return rows.length > 0;
  }

  // Whether the subtree holds a message another user wrote (a group session's members).
  async othersWroteInSubtree(rootId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH RECURSIVE sub AS (
         SELECT id, author_id FROM messages WHERE id = $1
         UNION ALL
         SELECT c.id, c.author_id FROM messages c JOIN sub ON c.parent_id = sub.id
       )
       SELECT 1 FROM sub WHERE author_id IS NOT NULL AND author_id <> $2 LIMIT 1`,
      [rootId, userId],
    );
    return rows.length > 0;
  }

  // Streaming replies in the subtree, so they can be stopped before it goes.
  async streamingInSubtree(rootId: string): Promise<Message[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `WITH RECURSIVE sub AS (
         SELECT id FROM messages WHERE id = $1
         UNION ALL
         SELECT c.id FROM messages c JOIN sub ON c.parent_id = sub.id
       )
       SELECT ${COLUMNS} FROM messages WHERE id IN (SELECT id FROM sub) AND status = 'streaming'`,
      [rootId],
    );
    return rows.map(toMessage);
  }

  async streamingInSession(sessionId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM messages WHERE session_id = $1 AND status = 'streaming' ORDER BY created_at`,
      [sessionId],
    );
    return rows.map((r) => r.id);
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM messages WHERE id = $1`, [id]);
  }

  // Partial content of replies in progress, a batch of them per statement; returns the last seq
  // of each message still streaming after the save (a missing id was deleted or ended
  // elsewhere). An append applies only to a row still at its base seq (else the row is left as it
  // was, its old seq is returned, and the run sends its whole text next time). Rows go as one
  // JSON document, not as arrays (pg escapes array elements in JavaScript), and a text-only
  // reply sends only text: the statement builds its parts. Batches keep each serialisation
  // short, so a thousand streams do not stall the event loop (and every stream's next token).
  async savePartials(replies: PartialReply[]): Promise<Map<string, number>> {
    const saved = new Map<string, number>();
    for (let start = 0; start < replies.length; start += PARTIALS_PER_STATEMENT) {
      const batch = replies.slice(start, start + PARTIALS_PER_STATEMENT).map((r) => ({
        id: r.id,
        seq: r.seq,
        base: r.baseSeq,
        text: r.text,
        parts: r.contentParts,
      }));
      const rows = await updateReturning<{ id: string; last_seq: number }>(
        this.dataSource,
        `UPDATE messages m
            SET content = CASE WHEN u.base IS NULL THEN u.text WHEN m.last_seq = u.base THEN m.content || u.text ELSE m.content END,
                content_parts = CASE WHEN u.base IS NULL THEN COALESCE(u.parts, ${TEXT_PARTS('u.text')})
                  WHEN m.last_seq = u.base THEN ${TEXT_PARTS('m.content || u.text')} ELSE m.content_parts END,
                last_seq = CASE WHEN u.base IS NULL OR m.last_seq = u.base THEN u.seq ELSE m.last_seq END,
                heartbeat_at = now(), updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS u(id uuid, seq int, base int, text text, parts jsonb)
          WHERE m.id = u.id AND m.status = 'streaming' RETURNING m.id, m.last_seq`,
        [JSON.stringify(batch)],
      );
      for (const row of rows) saved.set(row.id, row.last_seq);
    }
    return saved;
  }

  // Ends a reply exactly once: only a message still streaming changes; null otherwise.
  async finish(id: string, s: FinalState): Promise<Message | null> {
    const rows = await updateReturning<MessageRow>(
      this.dataSource,
      `UPDATE messages SET status = $2, content_parts = $3, content = $4, provider = $5, model = $6, input_tokens = $7,
              output_tokens = $8, reasoning_tokens = $9, time_to_first_token_ms = $10, finish_reason = $11, error = $12,
              last_seq = $13, usage_estimated = $14, heartbeat_at = NULL, updated_at = now()
        WHERE id = $1 AND status = 'streaming' RETURNING ${COLUMNS}`,
      [
        id,
        s.status,
        JSON.stringify(s.contentParts),
        s.content,
        s.provider,
        s.model,
        s.inputTokens,
        s.outputTokens,
        s.reasoningTokens,
        s.timeToFirstTokenMs,
        s.finishReason,
        s.error === null ? null : JSON.stringify(s.error),
        s.lastSeq,
        s.usageEstimated,
      ],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  // Returns the ids still streaming: the others were deleted, or ended from another instance.
  async heartbeat(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE messages SET heartbeat_at = now() WHERE id = ANY($1::uuid[]) AND status = 'streaming' RETURNING id`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }


  // Replies still marked streaming whose instance stopped beating (all of them when staleMs is 0).
  async findStale(staleMs: number, limit: number): Promise<Message[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM messages
        WHERE status = 'streaming' AND heartbeat_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY heartbeat_at LIMIT $2`,
      [staleMs, limit],
    );
    return rows.map(toMessage);
  }
}

export interface MessageRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  author_id: string | null;
  role: Message['role'];
  status: MessageStatus;
  content_parts: ContentPart[];
  content: string;
  provider: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  usage_estimated: boolean;
  time_to_first_token_ms: number | null;
  finish_reason: string | null;
  error: MessageError | null;
  citations: Citation[] | null;
  last_seq: number;
  heartbeat_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

// The INSERT of new messages, its parameters appended to `params`.
export function insertMessagesSql(messages: NewMessage[], params: unknown[]): string {
  const values = messages.map((m) => {
    const base = params.length;
    params.push(m.id, m.sessionId, m.parentId, m.authorId, m.role, m.status, JSON.stringify(m.contentParts), m.content);
    params.push(m.provider, m.model, m.status === 'streaming');
    const p = (i: number) => `$${base + i}`;
    return `(${p(1)}::uuid, ${p(2)}::uuid, ${p(3)}::uuid, ${p(4)}::uuid, ${p(5)}, ${p(6)}, ${p(7)}::jsonb, ${p(8)}, ${p(9)}, ${p(10)},
      CASE WHEN ${p(11)}::boolean THEN now() END)`;
  });
  return `INSERT INTO messages (id, session_id, parent_id, author_id, role, status, content_parts, content, provider, model, heartbeat_at)
    VALUES ${values.join(', ')}`;
}

// Inserted rows as messages, in the order they were given.
export function inOrder(messages: NewMessage[], rows: MessageRow[]): Message[] {
  const byId = new Map(rows.map((r) => [r.id, toMessage(r)]));
  return messages.map((m) => byId.get(m.id)!);
}

function prefixed(alias: string): string {
  return COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
}

function toMessage(r: MessageRow): Message {
  return Object.assign(new Message(), {
    id: r.id,
    sessionId: r.session_id,
    parentId: r.parent_id,
    authorId: r.author_id,
    role: r.role,
    status: r.status,
    contentParts: r.content_parts,
    content: r.content,
    provider: r.provider,
    model: r.model,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    reasoningTokens: r.reasoning_tokens,
    usageEstimated: r.usage_estimated,
    timeToFirstTokenMs: r.time_to_first_token_ms,
    finishReason: r.finish_reason,
    error: r.error,
    citations: r.citations,
    lastSeq: r.last_seq,
    heartbeatAt: r.heartbeat_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}
