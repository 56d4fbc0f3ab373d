import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const USAGE_SOURCES = ['openai-compat.chat', 'openai-compat.embeddings'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

export const USAGE_STATUSES = ['completed', 'error', 'cancelled'] as const;
export type UsageStatus = (typeof USAGE_STATUSES)[number];

// One metered call to a vendor, whatever its outcome: what credits will be charged from.
@Entity('usage_records')
@Index('IDX_usage_records_user_created', ['userId', 'createdAt'])
export class UsageRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  // The API key that made the call; null for access tokens.
  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  source!: UsageSource;

  @Column({ type: 'varchar', length: 64 })
  provider!: string;

  @Column({ type: 'varchar', length: 200 })
  model!: string;

  @Column({ name: 'input_tokens', type: 'integer' })
  inputTokens!: number;

  @Column({ name: 'output_tokens', type: 'integer' })
  outputTokens!: number;

  @Column({ name: 'reasoning_tokens', type: 'integer' })
  reasoningTokens!: number;

  // The token counts are a tokenizer's estimate: the vendor reported none (a call abandoned
  // before the vendor's usage event, a server that sends none).
  @Column({ type: 'boolean', default: false })
  estimated!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: UsageStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
