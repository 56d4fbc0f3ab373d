import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

// Links a subject of an external OIDC issuer to a local user.
@Entity('external_identities')
@Index('UQ_external_identities_issuer_subject', ['issuer', 'subject'], { unique: true })
export class ExternalIdentity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('IDX_external_identities_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  issuer!: string;

  @Column({ type: 'text' })
  subject!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
