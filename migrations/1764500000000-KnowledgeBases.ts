import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KnowledgeBases1764500000000 implements MigrationInterface {
  name = 'KnowledgeBases1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge_bases (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        embedding_provider varchar(64) NOT NULL,
        embedding_model varchar(200) NOT NULL,
        -- pgvector indexes vectors of up to 2000 dimensions.
        embedding_dimensions integer NOT NULL CHECK (embedding_dimensions BETWEEN 1 AND 2000),
        -- Whether the vendor is sent the dimensions (only when the user asked for a size:
        -- models with a fixed size refuse the parameter).
        embedding_send_dimensions boolean NOT NULL DEFAULT false,
        chunk_size integer NOT NULL CHECK (chunk_size > 0),
        chunk_overlap integer NOT NULL CHECK (chunk_overlap >= 0 AND chunk_overlap < chunk_size),
        -- Chunks indexed, kept with kb_lexemes by the transaction that writes a document's chunks.
        chunk_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query('CREATE INDEX "IDX_knowledge_bases_user_created" ON knowledge_bases (user_id, created_at DESC, id DESC)');

    await q.query(`
      CREATE TABLE kb_documents (
        id uuid PRIMARY KEY,
        knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        source_kind varchar(10) NOT NULL CHECK (source_kind IN ('upload', 'url', 'text')),
        upload_id uuid REFERENCES uploads(id) ON DELETE SET NULL,
        source_url text,
        source_text text,
        title varchar(255) NOT NULL,
        content_type varchar(127),
        status varchar(12) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        error text,
        chunk_count integer NOT NULL DEFAULT 0,
        token_count integer NOT NULL DEFAULT 0,
        character_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await q.query('CREATE INDEX "IDX_kb_documents_kb_created" ON kb_documents (knowledge_base_id, created_at DESC, id DESC)');
    // The boot sweep of the in-process queue looks for unfinished documents.
    await q.query(`CREATE INDEX "IDX_kb_documents_unfinished" ON kb_documents (status) WHERE status IN ('queued', 'processing')`);

    // One partition per knowledge base (created with it): each has its own HNSW index over
    // vectors of its dimensions, a search never filters another base's neighbours out of the
    // graph, and deleting a base drops its partition instead of deleting rows one by one.
    await q.query(`
      CREATE TABLE kb_chunks (
        id uuid NOT NULL,
        knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
        document_id uuid NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
        ordinal integer NOT NULL,
        text text NOT NULL,
        token_count integer NOT NULL,
        location jsonb NOT NULL,
        embedding vector NOT NULL,
        search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED,
        PRIMARY KEY (knowledge_base_id, id),
        UNIQUE (knowledge_base_id, document_id, ordinal)
      ) PARTITION BY LIST (knowledge_base_id)`);
    await q.query('CREATE INDEX "IDX_kb_chunks_search" ON kb_chunks USING gin (search_vector)');
    await q.query('CREATE INDEX "IDX_kb_chunks_document" ON kb_chunks (document_id)');

    // How many chunks of a base hold each lexeme: full-text search leaves out the words too common
    // to discriminate (as BM25's IDF would weigh them down) instead of visiting every chunk that
    // has them.
    await q.query(`
      CREATE TABLE kb_lexemes (
        knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases(id) ON DELETE CASCADE,
        lexeme text NOT NULL,
        chunk_count integer NOT NULL,
        PRIMARY KEY (knowledge_base_id, lexeme)
      )`);

    await q.query(`ALTER TABLE chat_sessions ADD COLUMN knowledge_base_ids uuid[] NOT NULL DEFAULT '{}'`);
    await q.query('ALTER TABLE messages ADD COLUMN citations jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE messages DROP COLUMN citations');
    await q.query('ALTER TABLE chat_sessions DROP COLUMN knowledge_base_ids');
    await q.query('DROP TABLE kb_lexemes');
    await q.query('DROP TABLE kb_chunks');
    await q.query('DROP TABLE kb_documents');
    await q.query('DROP TABLE knowledge_bases');
  }
}
