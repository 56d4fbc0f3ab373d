import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ProviderKeys1764100000000 implements MigrationInterface {
  name = 'ProviderKeys1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE provider_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider varchar(64) NOT NULL,
        base_url text NULL,
        encrypted_key bytea NOT NULL,
        iv bytea NOT NULL,
        auth_tag bytea NOT NULL,
        key_version smallint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_provider_keys_user_provider" UNIQUE (user_id, provider)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE provider_keys');
  }
}
