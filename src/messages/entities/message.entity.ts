import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Citation } from '../../knowledge-base/citation.js';
import type { ContentPart } from '../../providers/provider.types.js';

export const MESSAGE_STATUSES = ['streaming', 'completed', 'cancelled', 'error', 'interrupted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type MessageRole = 'user' | 'assistant';

// A problem detail (RFC 9457 members) explaining why a reply ended in error or interrupted.
export interface MessageError {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  // For vendor failures: which provider, the vendor's own HTTP status, whether a retry may work.
  provider?: string;
  upstreamStatus?: number;
  retryable?: boolean;
}

@Entity('messages')
export class Message {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  // Who wrote a user message; null for replies (and for deleted accounts).
  @Column({ name: 'author_id', type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  role!: MessageRole;

  @Column({ type: 'varchar', length: 16 })
  status!: MessageStatus;

  @Column({ name: 'content_parts', type: 'jsonb' })
  contentParts!: ContentPart[];

  // The text parts joined: what search and simple clients read.
  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  provider!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  model!: string | null;

  @Column({ name: 'input_tokens', type: 'integer', nullable: true })
  inputTokens!: number | null;

  @Column({ name: 'output_tokens', type: 'integer', nullable: true })
  outputTokens!: number | null;

  @Column({ name: 'reasoning_tokens', type: 'integer', nullable: true })
  reasoningTokens!: number | null;

  // The token counts are our tokenizer's estimate: the vendor reported none.
  @Column({ name: 'usage_estimated', type: 'boolean', default: false })
  usageEstimated!: boolean;

  @Column({ name: 'time_to_first_token_ms', type: 'integer', nullable: true })
  timeToFirstTokenMs!: number | null;

  @Column({ name: 'finish_reason', type: 'varchar', length: 32, nullable: true })
  finishReason!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: MessageError | null;

  // Knowledge-base chunks the reply's prompt was given (null: none were searched).
  @Column({ type: 'jsonb', nullable: true })
  citations!: Citation[] | null;

  // The seq of the last stream event written for this reply (0 before the first).
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq!: number;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
