import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { KnowledgeBase } from './entities/knowledge-base.entity.js';

// The partition of kb_chunks holding one knowledge base's chunks, and its HNSW index.
export function chunkPartition(knowledgeBaseId: string): string {
  return `kb_chunks_${knowledgeBaseId.toLowerCase().replace(/-/g, '')}`;
}

// Every transaction that writes a base's chunks, or deletes documents or the base, takes this
// lock first: writers of one base run one at a time (their lexeme counts stay exact) and always
// lock in the same order (no deadlocks between an ingestion and a delete).
export async function lockBase(manager: EntityManager, knowledgeBaseId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kb:${knowledgeBaseId.toLowerCase()}`]);
}

export function hnswIndex(knowledgeBaseId: string): string {
  return `IDX_kb_chunks_${knowledgeBaseId.toLowerCase().replace(/-/g, '')}_hnsw`;
}

// Graph build parameters, measured by `npm run bench` (kb) at 100k chunks of local embeddings:
// pgvector's defaults (m 16, ef_construction 64) reach recall@10 0.90 at ef_search 100 and 0.95
// only at 400; ef_construction 200 builds about 3x slower but reaches 0.95 at ef_search 200.
export const HNSW_BUILD_OPTIONS = 'm = 16, ef_construction = 200';

// The base's HNSW index (cosine) over its vectors cast to the base's dimensions. Identifiers
// come from a server-generated uuid (hex only), never from input.
export function hnswIndexDdl(knowledgeBaseId: string, dimensions: number, options = HNSW_BUILD_OPTIONS): string {
  return (
    `CREATE INDEX "${hnswIndex(knowledgeBaseId)}" ON "${chunkPartition(knowledgeBaseId)}" ` +
    `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WITH (${options})`
  );
}

@Injectable()
export class KnowledgeBasesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  // The row and its partition in one transaction. The partition is empty, so its index is
  // built instantly; later inserts maintain it.
  async create(kb: Omit<KnowledgeBase, 'createdAt' | 'updatedAt' | 'chunkCount'>): Promise<KnowledgeBase> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(KnowledgeBase).save(manager.getRepository(KnowledgeBase).create(kb));
      const partition = chunkPartition(kb.id);
      // Identifiers come from a server-generated uuid (hex only), never from input.
      await manager.query(`CREATE TABLE "${partition}" PARTITION OF kb_chunks FOR VALUES IN ('${kb.id}')`);
      await manager.query(hnswIndexDdl(kb.id, kb.embeddingDimensions));
      return saved;
    });
  }

  async findById(id: string): Promise<KnowledgeBase | null> {
    return this.dataSource.getRepository(KnowledgeBase).findOneBy({ id });
  }

  async findOwned(userId: string, id: string, manager?: EntityManager): Promise<KnowledgeBase | null> {
    return (manager ?? this.dataSource.manager).getRepository(KnowledgeBase).findOneBy({ id, userId });
  }

  async findOwnedMany(userId: string, ids: string[]): Promise<KnowledgeBase[]> {
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(KnowledgeBase).findBy({ id: In(ids), userId });
  }

  async listPage(userId: string, limit: number, before?: { createdAt: string; id: string }): Promise<KnowledgeBase[]> {
    const qb = this.dataSource
      .getRepository(KnowledgeBase)
      .createQueryBuilder('kb')
      .where('kb.user_id = :userId', { userId })
      .orderBy('kb.created_at', 'DESC')
      .addOrderBy('kb.id', 'DESC')
      .limit(limit + 1);
    if (before) qb.andWhere('(kb.created_at, kb.id) < (:createdAt::timestamptz, :id::uuid)', before);
    return qb.getMany();
  }

  async update(kb: KnowledgeBase, patch: Partial<Pick<KnowledgeBase, 'name' | 'description' | 'chunkSize' | 'chunkOverlap'>>): Promise<KnowledgeBase> {
    return this.dataSource.getRepository(KnowledgeBase).save(Object.assign(kb, patch));
  }

  // Dropping the partition removes every chunk at once; the row's delete cascades to documents.
  async delete(userId: string, id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await lockBase(manager, id);
      const found = await manager.getRepository(KnowledgeBase).findOne({ where: { id, userId }, lock: { mode: 'pessimistic_write' } });
      if (!found) return false;
      await manager.query(`DROP TABLE IF EXISTS "${chunkPartition(id)}"`);
      await manager.getRepository(KnowledgeBase).delete({ id });
      return true;
    });
  }
}
