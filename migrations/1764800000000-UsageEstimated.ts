import type { MigrationInterface, QueryRunner } from 'typeorm';

// A reply the vendor gave no token counts for (stopped before its usage event, or a server that
// sends none) gets estimated counts; this says which ones are estimates, on messages and on the
// usage records of the OpenAI-compatible API.
export class UsageEstimated1764800000000 implements MigrationInterface {
  name = 'UsageEstimated1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE usage_records ADD COLUMN estimated boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE usage_records DROP COLUMN estimated`);
    await q.query(`ALTER TABLE messages DROP COLUMN usage_estimated`);
  }
}
