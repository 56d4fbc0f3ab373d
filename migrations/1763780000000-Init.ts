import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763780000000 implements MigrationInterface {
  name = 'Init1763780000000';

  async up(q: QueryRunner): Promise<void> {
    try {
      await q.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (err) {
      throw new Error(
        'The PostgreSQL extension "vector" (pgvector) is not installed on this server. Install it ' +
          '(the pgvector/pgvector image, the postgresql-NN-pgvector package, or build it from source) ' +
          `and restart. Cause: ${(err as Error).message}`,
        { cause: err },
      );
    }
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320) NULL,
        name varchar(200) NULL,
        password_hash text NULL,
        role varchar(16) NOT NULL CHECK (role IN ('user', 'admin')),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_users_email" UNIQUE (email),
        CONSTRAINT "CHK_users_email_lowercase" CHECK (email = lower(email))
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL,
        revoked_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_refresh_tokens_hash" UNIQUE (token_hash)
      )`);
    await q.query('CREATE INDEX "IDX_refresh_tokens_family" ON refresh_tokens (family_id)');
    await q.query('CREATE INDEX "IDX_refresh_tokens_user" ON refresh_tokens (user_id)');
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        prefix varchar(16) NOT NULL,
        key_hash char(64) NOT NULL,
        scopes text[] NOT NULL,
        expires_at timestamptz NULL,
        last_used_at timestamptz NULL,
        revoked_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_api_keys_hash" UNIQUE (key_hash)
      )`);
    await q.query('CREATE INDEX "IDX_api_keys_user" ON api_keys (user_id)');
    await q.query(`
      CREATE TABLE external_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        issuer text NOT NULL,
        subject text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE UNIQUE INDEX "UQ_external_identities_issuer_subject" ON external_identities (issuer, subject)');
    await q.query('CREATE INDEX "IDX_external_identities_user" ON external_identities (user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE external_identities');
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE refresh_tokens');
    await q.query('DROP TABLE users');
  }
}
