import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type EnqueueOptions, type JobHandler, JobQueue, PermanentJobError, type QueueName } from './job-queue.js';

// BullMQ on REDIS_URL. Jobs survive restarts and are shared by every instance running a worker
// (JOBS_WORKER, or `npm run start:worker`). Production Redis needs AOF persistence and
// `maxmemory-policy noeviction`, or acknowledged jobs can be lost.
export class BullJobQueue extends JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly shutdown = new AbortController();
  // The API side fails fast during an outage; workers block on Redis, so they need no retry cap.
  private readonly producer: Redis;
  private readonly consumer: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly concurrency: number,
    private readonly backoffMs: number,
  ) {
    super();
    this.producer = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 2 });
    this.consumer = new Redis(url, { maxRetriesPerRequest: null });
    for (const client of [this.producer, this.consumer]) client.on('error', () => undefined);
  }

  async enqueue<T>(queue: QueueName, data: T, options: EnqueueOptions): Promise<void> {
    await this.queue(queue).add(queue, data, {
      jobId: options.jobId,
      attempts: JobQueue.MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.backoffMs },
      // Removed when done so the same id can be queued again later (a re-ingest).
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  process<T>(queue: QueueName, handler: JobHandler<T>): void {
    const worker = new Worker(
      queue,
      async (job) => {
        try {
          await handler(job.data as T, {
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
            signal: this.shutdown.signal,
          });
        } catch (err) {
          if (err instanceof PermanentJobError) throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      { connection: this.consumer, prefix: this.prefix, concurrency: this.concurrency },
    );
    worker.on('error', (err) => this.logger.warn({ err, queue }, 'Worker error'));
    worker.on('failed', (job, err) => this.logger.warn({ err, queue, jobId: job?.id }, 'Job attempt failed'));
    this.workers.push(worker);
  }

  async onApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.allSettled([this.producer.quit(), this.consumer.quit()]);
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer, prefix: this.prefix });
      queue.on('error', (err) => this.logger.warn({ err, queue: name }, 'Queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
