import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Uploads1764400000000 implements MigrationInterface {
  name = 'Uploads1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE uploads (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        storage_key varchar(200) NOT NULL,
        filename varchar(255) NOT NULL,
        content_type varchar(127) NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        sha256 char(64) NOT NULL,
        -- Millisecond precision, as the list cursor carries it.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT "UQ_uploads_storage_key" UNIQUE (storage_key)
      )`);
    // Listing (newest first) and the quota sum both read by user.
    await q.query('CREATE INDEX "IDX_uploads_user_created" ON uploads (user_id, created_at DESC, id DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE uploads');
  }
}
