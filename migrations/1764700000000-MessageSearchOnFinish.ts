import type { MigrationInterface, QueryRunner } from 'typeorm';

// A message's search vector is computed when it is written finished, not on every save. As a
// generated column it was recomputed (and its GIN entries rewritten) by each partial save of a
// streaming reply: with 1,000 replies streaming, that was ~0.68 s of PostgreSQL CPU per second
// of saves against ~0.16 s without. A reply becomes searchable when it ends (completed,
// cancelled, error or interrupted), seconds later than before; the values already stored stay.
export class MessageSearchOnFinish1764700000000 implements MigrationInterface {
  name = 'MessageSearchOnFinish1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ALTER COLUMN search_vector DROP EXPRESSION`);
    await q.query(`UPDATE messages SET search_vector = NULL WHERE status = 'streaming'`);
    // 'simple' and the 100k-character cap as before (a tsvector is capped at 1 MB).
    await q.query(`
      CREATE FUNCTION messages_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_vector := to_tsvector('simple'::regconfig, left(NEW.content, 100000));
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER messages_search_vector BEFORE INSERT OR UPDATE OF content, status ON messages
        FOR EACH ROW WHEN (NEW.status <> 'streaming') EXECUTE FUNCTION messages_search_vector()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER messages_search_vector ON messages');
    await q.query('DROP FUNCTION messages_search_vector()');
    await q.query('DROP INDEX "IDX_messages_search"');
    await q.query('ALTER TABLE messages DROP COLUMN search_vector');
    await q.query(`
      ALTER TABLE messages ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, left(content, 100000))) STORED`);
    await q.query(`CREATE INDEX "IDX_messages_search" ON messages USING gin (search_vector)`);
  }
}
