import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UsageRecords1764200000000 implements MigrationInterface {
  name = 'UsageRecords1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        api_key_id uuid NULL,
        source varchar(64) NOT NULL,
        provider varchar(64) NOT NULL,
        model varchar(200) NOT NULL,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        reasoning_tokens integer NOT NULL DEFAULT 0,
        status varchar(16) NOT NULL CHECK (status IN ('completed', 'error', 'cancelled')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX "IDX_usage_records_user_created" ON usage_records (user_id, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE usage_records');
  }
}
