import type { MigrationInterface, QueryRunner } from 'typeorm';

export class GroupChat1764150000000 implements MigrationInterface {
  name = 'GroupChat1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session_members (
        session_id uuid NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, user_id)
      )`);
    await q.query(`CREATE INDEX "IDX_session_members_user" ON session_members (user_id)`);
    // Who wrote a user message (several people post in a group session).
    await q.query(`ALTER TABLE messages ADD COLUMN author_id uuid NULL REFERENCES users(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE messages DROP COLUMN author_id');
    await q.query('DROP TABLE session_members');
  }
}
