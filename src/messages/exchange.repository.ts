import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared-query.js';
import type { Message } from './entities/message.entity.js';
import { COLUMNS, inOrder, insertMessagesSql, type MessageRow, type NewMessage } from './messages.repository.js';

export interface WrittenExchange {
  messages: Message[];
  // Child ids by parent id, for the parents of the new messages, the new ones included.
  children: Map<string | null, string[]>;
}

// The write that starts a reply, in one statement (one round trip; a statement is its own
// transaction): the new messages, the session's current leaf moved to the reply (this one
// statement touches chat_sessions, rather than a transaction of four round trips), and the
// siblings the response lists. With `asyncCommit` the commit does not wait for the WAL flush.
@Injectable()
export class ExchangeRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async insert(rows: NewMessage[], leafId: string, asyncCommit: boolean): Promise<WrittenExchange> {
    const sessionId = rows[0].sessionId;
    const parentId = rows[0].parentId;
    const params: unknown[] = [];
    const insert = insertMessagesSql(rows, params);
    params.push(sessionId, leafId, parentId === null ? [] : [parentId], parentId === null);
    const [s, leaf, parents, root] = [params.length - 3, params.length - 2, params.length - 1, params.length].map((i) => `$${i}`);
    // A prepared statement: four texts at most (one or two messages, either commit mode).
    const result = await preparedQuery<MessageRow & { sibling_ids: [string, string | null][] }>(
      this.dataSource,
      `WITH ${asyncCommit ? `sync AS (SELECT set_config('synchronous_commit', 'off', true) AS v),` : ''}
        inserted AS (${insert} RETURNING ${COLUMNS}),
        leaf AS (
          UPDATE chat_sessions SET current_leaf_id = ${leaf}::uuid, last_activity_at = date_trunc('milliseconds', now()), updated_at = now()
           WHERE id = ${s}::uuid),
        siblings AS (
          SELECT coalesce(json_agg(json_build_array(id, parent_id) ORDER BY created_at, id), '[]'::json) AS ids FROM messages
           WHERE session_id = ${s}::uuid AND (parent_id = ANY(${parents}::uuid[]) OR (${root}::boolean AND parent_id IS NULL)))
      SELECT inserted.*, siblings.ids AS sibling_ids${asyncCommit ? ', sync.v' : ''} FROM inserted, siblings${asyncCommit ? ', sync' : ''}`,
      params,
    );
    // The siblings query reads the snapshot before the insert: the new messages come after.
    const children = new Map<string | null, string[]>();
    const add = (id: string, parent: string | null) => {
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    };
    for (const [id, parent] of result[0]?.sibling_ids ?? []) add(id, parent);
    for (const row of rows) add(row.id, row.parentId);
    return { messages: inOrder(rows, result), children };
  }
}
