import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ChatCore1763790000000 implements MigrationInterface {
  name = 'ChatCore1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title varchar(200) NULL,
        provider varchar(64) NOT NULL,
        model varchar(200) NOT NULL,
        system_prompt text NULL,
        temperature real NULL,
        max_tokens integer NULL,
        context_messages integer NULL,
        pinned boolean NOT NULL DEFAULT false,
        archived boolean NOT NULL DEFAULT false,
        folder varchar(200) NULL,
        tags text[] NOT NULL DEFAULT '{}',
        current_leaf_id uuid NULL,
        -- Millisecond precision, like JavaScript dates, so keyset cursors round-trip exactly.
        last_activity_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX "IDX_chat_sessions_user_activity" ON chat_sessions (user_id, archived, last_activity_at DESC, id DESC)`,
    );
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
        parent_id uuid NULL REFERENCES messages(id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('user', 'assistant')),
        status varchar(16) NOT NULL CHECK (status IN ('streaming', 'completed', 'cancelled', 'error', 'interrupted')),
        content_parts jsonb NOT NULL DEFAULT '[]',
        content text NOT NULL DEFAULT '',
        provider varchar(64) NULL,
        model varchar(200) NULL,
        input_tokens integer NULL,
        output_tokens integer NULL,
        reasoning_tokens integer NULL,
        time_to_first_token_ms integer NULL,
        finish_reason varchar(32) NULL,
        error jsonb NULL,
        last_seq integer NOT NULL DEFAULT 0,
        heartbeat_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "IDX_messages_session_parent" ON messages (session_id, parent_id)`);
    await q.query(`CREATE INDEX "IDX_messages_parent" ON messages (parent_id)`);
    // The sweeper's query: replies still streaming whose instance stopped beating.
    await q.query(`CREATE INDEX "IDX_messages_streaming" ON messages (heartbeat_at) WHERE status = 'streaming'`);
    await q.query(`
      ALTER TABLE chat_sessions ADD CONSTRAINT "FK_chat_sessions_current_leaf"
        FOREIGN KEY (current_leaf_id) REFERENCES messages(id) ON DELETE SET NULL`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX "IDX_idempotency_keys_created" ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
    await q.query('ALTER TABLE chat_sessions DROP CONSTRAINT "FK_chat_sessions_current_leaf"');
    await q.query('DROP TABLE messages');
    await q.query('DROP TABLE chat_sessions');
  }
}
