import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { updateReturning } from '../database/update-returning.js';
import { type DocumentStatus, KbDocument } from './entities/kb-document.entity.js';

export interface DocumentCounts {
  chunkCount: number;
  tokenCount: number;
  characterCount: number;
}

@Injectable()
export class DocumentsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(KbDocument);
  }

  async insert(doc: Pick<KbDocument, 'id' | 'knowledgeBaseId' | 'userId' | 'sourceKind' | 'uploadId' | 'sourceUrl' | 'sourceText' | 'title' | 'contentType'>): Promise<KbDocument> {
    return this.repo.save(this.repo.create({ ...doc, status: 'queued', progress: 0 }));
  }

  async findById(id: string): Promise<KbDocument | null> {
    return this.repo.findOneBy({ id });
  }

  async findInBase(knowledgeBaseId: string, id: string): Promise<KbDocument | null> {
    return this.repo.findOneBy({ id, knowledgeBaseId });
  }

  async titles(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.repo.find({ select: { id: true, title: true }, where: { id: In(ids) } });
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  async listPage(knowledgeBaseId: string, limit: number, before?: { createdAt: string; id: string }): Promise<KbDocument[]> {
    const qb = this.repo
      .createQueryBuilder('d')
      .where('d.knowledge_base_id = :knowledgeBaseId', { knowledgeBaseId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1);
    if (before) qb.andWhere('(d.created_at, d.id) < (:createdAt::timestamptz, :id::uuid)', before);
    return qb.getMany();
  }

  async unfinishedIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM kb_documents WHERE status IN ('queued', 'processing') ORDER BY created_at`,
    );
    return rows.map((r) => r.id);
  }

  // Progress moves only while processing: a late update can't revive a failed or deleted one.
  async setProgress(id: string, status: Extract<DocumentStatus, 'processing'>, progress: number): Promise<boolean> {
    const rows = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE kb_documents SET status = $2, progress = $3, error = NULL, updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'processing') RETURNING id`,
      [id, status, progress],
    );
    return rows.length > 0;
  }

  async markFailed(id: string, reason: string): Promise<KbDocument | null> {
    const rows = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE kb_documents SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, reason.slice(0, 2000)],
    );
    return rows.length > 0 ? this.findById(id) : null;
  }

  async requeue(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE kb_documents SET status = 'queued', progress = 0, error = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  async delete(id: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(KbDocument).delete({ id });
  }
}
