import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('knowledge_bases')
@Index('IDX_knowledge_bases_user_created', { synchronize: false })
export class KnowledgeBase {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  // 'local' is the built-in lexical embedder; anything else is a provider id.
  @Column({ name: 'embedding_provider', type: 'varchar', length: 64 })
  embeddingProvider!: string;

  @Column({ name: 'embedding_model', type: 'varchar', length: 200 })
  embeddingModel!: string;

  @Column({ name: 'embedding_dimensions', type: 'integer' })
  embeddingDimensions!: number;

  // Sent to the vendor only when the user chose a size (fixed-size models refuse it).
  @Column({ name: 'embedding_send_dimensions', type: 'boolean', default: false })
  embeddingSendDimensions!: boolean;

  @Column({ name: 'chunk_size', type: 'integer' })
  chunkSize!: number;

  @Column({ name: 'chunk_overlap', type: 'integer' })
  chunkOverlap!: number;

  @Column({ name: 'chunk_count', type: 'integer', default: 0 })
  chunkCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
