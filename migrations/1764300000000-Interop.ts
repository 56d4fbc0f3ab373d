import type { MigrationInterface, QueryRunner } from 'typeorm';

// Full-text search over messages and session titles, and public share links.
export class Interop1764300000000 implements MigrationInterface {
  name = 'Interop1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // 'simple': no stemming or stop words, so every language is searchable alike. Only the first
    // 100k characters are indexed: a tsvector is capped at 1 MB and replies may be longer.
    await q.query(`
      ALTER TABLE messages ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, left(content, 100000))) STORED`);
    await q.query(`CREATE INDEX "IDX_messages_search" ON messages USING gin (search_vector)`);
    await q.query(`
      ALTER TABLE chat_sessions ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(title, ''))) STORED`);
    await q.query(`CREATE INDEX "IDX_chat_sessions_search" ON chat_sessions USING gin (search_vector)`);
    await q.query(`
      CREATE TABLE session_shares (
        id uuid PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        mode varchar(16) NOT NULL CHECK (mode IN ('snapshot', 'live')),
        snapshot_leaf_id uuid NULL REFERENCES messages(id) ON DELETE SET NULL,
        snapshot_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX "IDX_session_shares_session" ON session_shares (session_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE session_shares');
    await q.query('DROP INDEX "IDX_chat_sessions_search"');
    await q.query('ALTER TABLE chat_sessions DROP COLUMN search_vector');
    await q.query('DROP INDEX "IDX_messages_search"');
    await q.query('ALTER TABLE messages DROP COLUMN search_vector');
  }
}
