import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue, QUEUES } from '../../jobs/job-queue.js';
import { DocumentsRepository } from '../documents.repository.js';
import { IngestionService } from './ingestion.service.js';

export interface IngestionJob {
  documentId: string;
}

// Runs ingestion jobs in this process when JOBS_WORKER is on. At boot it queues again every
// document left queued or processing: with the in-process queue those jobs died with the last
// process; with BullMQ the job ids make this a no-op for jobs still in Redis.
@Injectable()
export class IngestionProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(IngestionProcessor.name);

  constructor(
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(IngestionService) private readonly ingestion: IngestionService,
    @Inject(DocumentsRepository) private readonly documents: DocumentsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobs.worker) return;
    this.jobs.process<IngestionJob>(QUEUES.documentIngestion, (job, context) => this.ingestion.ingest(job.documentId, context));
    const unfinished = await this.documents.unfinishedIds();
    if (unfinished.length > 0) this.logger.log(`Queueing ${unfinished.length} unfinished document(s) again`);
    for (const documentId of unfinished) {
      await this.jobs.enqueue<IngestionJob>(QUEUES.documentIngestion, { documentId }, { jobId: documentId });
    }
  }
}
