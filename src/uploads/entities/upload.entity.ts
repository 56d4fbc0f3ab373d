import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('uploads')
@Index('IDX_uploads_user_created', { synchronize: false })
export class Upload {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  // Server-generated (users/{userId}/{uuid}); never derived from the client's filename.
  @Column({ name: 'storage_key', type: 'varchar', length: 200, unique: true })
  storageKey!: string;

  // Sanitized display name only.
  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 127 })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: number;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
