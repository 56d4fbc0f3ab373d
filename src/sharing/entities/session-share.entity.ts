import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const SHARE_MODES = ['snapshot', 'live'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

// A public read-only link to a conversation. Only the SHA-256 of its token is stored.
@Entity('session_shares')
export class SessionShare {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 16 })
  mode!: ShareMode;

  // Snapshot links: the branch shown ends at this message, as it was at snapshotAt.
  @Column({ name: 'snapshot_leaf_id', type: 'uuid', nullable: true })
  snapshotLeafId!: string | null;

  @Column({ name: 'snapshot_at', type: 'timestamptz', nullable: true })
  snapshotAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
