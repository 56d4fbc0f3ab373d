import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { BullJobQueue } from './bullmq-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { JobQueue } from './job-queue.js';

@Global()
@Module({
  providers: [
    {
      provide: JobQueue,
      inject: [AppConfig],
      useFactory: (config: AppConfig): JobQueue =>
        config.redis.url
          ? new BullJobQueue(config.redis.url, `${config.redis.keyPrefix}bull`, config.jobs.concurrency, config.jobs.retryDelayMs)
          : new InProcessJobQueue(config.jobs.concurrency, config.jobs.retryDelayMs),
    },
  ],
  exports: [JobQueue],
})
export class JobsModule {}
