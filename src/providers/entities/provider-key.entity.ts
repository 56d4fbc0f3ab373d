import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// A user's own credential for one provider, sealed with AES-256-GCM (see key-cipher.ts).
@Entity('provider_keys')
@Index('UQ_provider_keys_user_provider', ['userId', 'provider'], { unique: true })
export class ProviderKey {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ name: 'base_url', type: 'text', nullable: true })
  baseUrl!: string | null;

  @Column({ name: 'encrypted_key', type: 'bytea' })
  encryptedKey!: Buffer;

  @Column({ type: 'bytea' })
  iv!: Buffer;

  @Column({ name: 'auth_tag', type: 'bytea' })
  authTag!: Buffer;

  // Which ENCRYPTION_KEY sealed the row, so keys can rotate.
  @Column({ name: 'key_version', type: 'smallint' })
  keyVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
