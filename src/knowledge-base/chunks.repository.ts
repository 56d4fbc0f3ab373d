import { Inject, Injectable } from '@nestjs/common';
import pgvector from 'pgvector';
import { DataSource, type EntityManager } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import type { SourceLocation } from './parsing/parsed-document.js';
import { updateReturning } from '../database/update-returning.js';
import { chunkPartition } from './knowledge-bases.repository.js';

// Chunk ids derive from (document, ordinal): a re-delivered ingestion job writes the same ids,
// so citations saved in replies keep pointing at the same chunks.
const CHUNK_ID_NAMESPACE = '6b1f3c7e-2f0a-4f5e-9a51-8d1f0c2b7a44';
// Rows per INSERT: 7 parameters each, far below PostgreSQL's 65535.
const INSERT_BATCH = 500;

export interface ChunkRecord {
  ordinal: number;
  text: string;
  tokenCount: number;
  location: SourceLocation;
  embedding: number[];
}

export interface ChunkHit {
  chunkId: string;
  documentId: string;
  text: string;
  tokenCount: number;
  location: SourceLocation;
  score: number;
}

interface HitRow {
  id: string;
  document_id: string;
  text: string;
  token_count: number;
  location: SourceLocation;
  score: number;
}

export function chunkId(documentId: string, ordinal: number): string {
  return uuidv5(`${documentId}:${ordinal}`, CHUNK_ID_NAMESPACE);
}

@Injectable()
export class ChunksRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  // Replaces a document's chunks (never adds to them) inside the caller's transaction, which
  // holds lockBase, keeping the base's lexeme statistics and chunk count in step.
  async replaceForDocument(manager: EntityManager, knowledgeBaseId: string, documentId: string, chunks: ChunkRecord[]): Promise<void> {
    await this.removeForDocument(manager, knowledgeBaseId, documentId);
    const table = `"${chunkPartition(knowledgeBaseId)}"`;
    for (let start = 0; start < chunks.length; start += INSERT_BATCH) {
      const batch = chunks.slice(start, start + INSERT_BATCH);
      const params: unknown[] = [];
      const values = batch.map((c) => {
        const n = params.push(chunkId(documentId, c.ordinal), knowledgeBaseId, documentId, c.ordinal, c.text, c.tokenCount, JSON.stringify(c.location));
        params.push(pgvector.toSql(c.embedding));
        return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb, $${n + 1}::vector)`;
      });
      await manager.query(
        `INSERT INTO ${table} (id, knowledge_base_id, document_id, ordinal, text, token_count, location, embedding) VALUES ${values.join(', ')}`,
        params,
      );
    }
    await manager.query(
      `INSERT INTO kb_lexemes (knowledge_base_id, lexeme, chunk_count)
       SELECT $1, word, ndoc FROM ts_stat(format('SELECT search_vector FROM %I WHERE document_id = %L', $2::text, $3::text))
       ON CONFLICT (knowledge_base_id, lexeme) DO UPDATE SET chunk_count = kb_lexemes.chunk_count + excluded.chunk_count`,
      [knowledgeBaseId, chunkPartition(knowledgeBaseId), documentId],
    );
    await manager.query('UPDATE knowledge_bases SET chunk_count = chunk_count + $2 WHERE id = $1', [knowledgeBaseId, chunks.length]);
  }

  // Takes a document's chunks out of the base's statistics and deletes them (under lockBase).
  async removeForDocument(manager: EntityManager, knowledgeBaseId: string, documentId: string): Promise<void> {
    const partition = chunkPartition(knowledgeBaseId);
    await manager.query(
      `WITH old AS (SELECT word, ndoc FROM ts_stat(format('SELECT search_vector FROM %I WHERE document_id = %L', $2::text, $3::text)))
       UPDATE kb_lexemes l SET chunk_count = l.chunk_count - old.ndoc FROM old WHERE l.knowledge_base_id = $1 AND l.lexeme = old.word`,
      [knowledgeBaseId, partition, documentId],
    );
    await manager.query('DELETE FROM kb_lexemes WHERE knowledge_base_id = $1 AND chunk_count <= 0', [knowledgeBaseId]);
    const removed = (await updateReturning<{ id: string }>(manager, `DELETE FROM "${partition}" WHERE document_id = $1 RETURNING id`, [documentId])).length;
    if (removed > 0) await manager.query('UPDATE knowledge_bases SET chunk_count = chunk_count - $2 WHERE id = $1', [knowledgeBaseId, removed]);
  }

  // Nearest chunks by cosine distance through the base's HNSW index (approximate; ef_search
  // trades speed for recall). Score: cosine similarity.
  async vectorSearch(manager: EntityManager, knowledgeBaseId: string, dimensions: number, query: number[], k: number): Promise<ChunkHit[]> {
    const vec = `$1::vector(${dimensions})`;
    const col = `embedding::vector(${dimensions})`;
    const rows: HitRow[] = await manager.query(
      `SELECT id, document_id, text, token_count, location, 1 - (${col} <=> ${vec}) AS score
       FROM "${chunkPartition(knowledgeBaseId)}" ORDER BY ${col} <=> ${vec} LIMIT $2`,
      [pgvector.toSql(query), k],
    );
    return rows.map(toHit);
  }

  // The same ranking computed exactly (a scan: the index is on the cast expression), for
  // measuring the index's recall.
  async exactVectorSearch(knowledgeBaseId: string, query: number[], k: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM "${chunkPartition(knowledgeBaseId)}" ORDER BY embedding <=> $1::vector LIMIT $2`,
      [pgvector.toSql(query), k],
    );
    return rows.map((r) => r.id);
  }

  // Any of the query's words (English stemming, stop words dropped), ranked by ts_rank
  // normalised by length. Words in more than `commonAbove` chunks are left out, except the two
  // rarest: they barely discriminate (BM25's IDF weighs them near zero) and matching them would
  // visit a large share of the base.
  async fulltextSearch(knowledgeBaseId: string, query: string, k: number, commonAbove: number): Promise<ChunkHit[]> {
    const rows: HitRow[] = await this.dataSource.query(
      `WITH terms AS (
         SELECT s.lexeme, s.chunk_count, row_number() OVER (ORDER BY s.chunk_count, s.lexeme) AS rarity
         FROM unnest(tsvector_to_array(to_tsvector('english', $1))) AS t(lexeme)
         JOIN kb_lexemes s ON s.knowledge_base_id = $3 AND s.lexeme = t.lexeme
       ), q AS (
         SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS query FROM terms WHERE rarity <= 2 OR chunk_count <= $4
       )
       SELECT c.id, c.document_id, c.text, c.token_count, c.location, ts_rank(c.search_vector, q.query, 1) AS score
       FROM "${chunkPartition(knowledgeBaseId)}" c, q
       WHERE c.search_vector @@ q.query
       ORDER BY score DESC, c.id LIMIT $2`,
      [query, k, knowledgeBaseId, commonAbove],
    );
    return rows.map(toHit);
  }

  async setEfSearch(manager: EntityManager, efSearch: number): Promise<void> {
    await manager.query(`SELECT set_config('hnsw.ef_search', $1, true)`, [String(efSearch)]);
  }

  inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}

function toHit(r: HitRow): ChunkHit {
  return { chunkId: r.id, documentId: r.document_id, text: r.text, tokenCount: r.token_count, location: r.location, score: Number(r.score) };
}
