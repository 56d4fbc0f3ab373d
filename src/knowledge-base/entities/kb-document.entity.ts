import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const DOCUMENT_STATUSES = ['queued', 'processing', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const DOCUMENT_SOURCES = ['upload', 'url', 'text'] as const;
export type DocumentSourceKind = (typeof DOCUMENT_SOURCES)[number];

@Entity('kb_documents')
@Index('IDX_kb_documents_kb_created', { synchronize: false })
@Index('IDX_kb_documents_unfinished', { synchronize: false })
export class KbDocument {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'knowledge_base_id', type: 'uuid' })
  knowledgeBaseId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'source_kind', type: 'varchar', length: 10 })
  sourceKind!: DocumentSourceKind;

  // Null once the upload is deleted: the chunks stay, only a re-ingest is impossible.
  @Column({ name: 'upload_id', type: 'uuid', nullable: true })
  uploadId!: string | null;

  @Column({ name: 'source_url', type: 'text', nullable: true })
  sourceUrl!: string | null;

  @Column({ name: 'source_text', type: 'text', nullable: true })
  sourceText!: string | null;

  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 127, nullable: true })
  contentType!: string | null;

  @Column({ type: 'varchar', length: 12, default: 'queued' })
  status!: DocumentStatus;

  @Column({ type: 'smallint', default: 0 })
  progress!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'chunk_count', type: 'integer', default: 0 })
  chunkCount!: number;

  @Column({ name: 'token_count', type: 'integer', default: 0 })
  tokenCount!: number;

  @Column({ name: 'character_count', type: 'integer', default: 0 })
  characterCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
