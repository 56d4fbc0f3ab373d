// Queue names, in one place.
export const QUEUES = {
  documentIngestion: 'kb-ingest',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobContext {
  // 1-based; a handler on its last attempt records the failure instead of rethrowing.
  attempt: number;
  maxAttempts: number;
  // Aborted when this process shuts down.
  signal: AbortSignal;
}

export type JobHandler<T> = (data: T, context: JobContext) => Promise<void>;

// Input that can never succeed: the job is not retried.
export class PermanentJobError extends Error {}

export interface EnqueueOptions {
  // Jobs are deduplicated by id while queued or running.
  jobId: string;
}

// BullMQ when REDIS_URL is set, an in-process runner of the same handlers otherwise. Both
// deliver at least once, so handlers must be idempotent.
export abstract class JobQueue {
  static readonly MAX_ATTEMPTS = 3;

  abstract enqueue<T>(queue: QueueName, data: T, options: EnqueueOptions): Promise<void>;
  // Runs the queue's jobs in this process (when JOBS_WORKER is on).
  abstract process<T>(queue: QueueName, handler: JobHandler<T>): void;
}
