import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from './common/logging/app-logger.js';
import { AppConfig } from './config/app-config.js';
import { ConfigError } from './config/environment.js';
import { WorkerModule } from './worker.module.js';

// A process that only runs queued jobs (document ingestion), scaled apart from the API. It needs
// the shared services: BullMQ on REDIS_URL and PostgreSQL on DATABASE_URL. API instances can then
// run with JOBS_WORKER=false.
try {
  const config = new AppConfig();
  if (!config.redis.url || config.embeddedDatabase) {
    process.stderr.write('start:worker needs REDIS_URL and DATABASE_URL: the embedded mode runs jobs inside the API process.\n');
    process.exit(78);
  }
  if (!config.jobs.worker) {
    process.stderr.write('start:worker with JOBS_WORKER=false would run nothing.\n');
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  app.flushLogs();
  app.enableShutdownHooks();
  app.get(AppLogger).log('Worker started');
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  throw err;
}
