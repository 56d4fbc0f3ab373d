import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EnqueueOptions, type JobHandler, JobQueue, PermanentJobError, type QueueName } from './job-queue.js';

interface PendingJob {
  queue: QueueName;
  id: string;
  data: unknown;
}

// The embedded mode's queue: jobs live in memory, so whatever was unfinished when the process
// stopped is found again by its owner's boot sweep (documents still queued or processing).
export class InProcessJobQueue extends JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<QueueName, JobHandler<unknown>>();
  private readonly waiting: PendingJob[] = [];
  private readonly known = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly concurrency: number,
    private readonly backoffMs: number,
  ) {
    super();
  }

  enqueue<T>(queue: QueueName, data: T, options: EnqueueOptions): Promise<void> {
    const key = `${queue}:${options.jobId}`;
    if (!this.known.has(key) && !this.shutdown.signal.aborted) {
      this.known.add(key);
      this.waiting.push({ queue, id: options.jobId, data });
      this.pump();
    }
    return Promise.resolve();
  }

  process<T>(queue: QueueName, handler: JobHandler<T>): void {
    this.handlers.set(queue, handler as JobHandler<unknown>);
    this.pump();
  }

  async onApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.running.size < this.concurrency) {
      const index = this.waiting.findIndex((job) => this.handlers.has(job.queue));
      if (index < 0) return;
      const [job] = this.waiting.splice(index, 1);
      const run = this.run(job).finally(() => {
        this.running.delete(run);
        this.known.delete(`${job.queue}:${job.id}`);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run(job: PendingJob): Promise<void> {
    const handler = this.handlers.get(job.queue)!;
    const signal = this.shutdown.signal;
    for (let attempt = 1; attempt <= JobQueue.MAX_ATTEMPTS && !signal.aborted; attempt++) {
      try {
        await handler(job.data, { attempt, maxAttempts: JobQueue.MAX_ATTEMPTS, signal });
        return;
      } catch (err) {
        const last = attempt === JobQueue.MAX_ATTEMPTS || err instanceof PermanentJobError;
        this.logger.warn({ err, queue: job.queue, jobId: job.id, attempt }, last ? 'Job failed' : 'Job failed; retrying');
        if (last) return;
        await sleep(this.backoffMs * 2 ** (attempt - 1), undefined, { signal }).catch(() => undefined);
      }
    }
  }
}
