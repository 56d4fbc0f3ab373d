import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyRepository } from './idempotency.repository.js';

// Idempotency keys answer retries for a day (as Stripe's do), then go.
const KEY_LIFETIME_MS = 24 * 3600_000;
const PURGE_INTERVAL_MS = 3600_000;

@Injectable()
export class IdempotencyPurgeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyPurgeService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(IdempotencyRepository) private readonly keys: IdempotencyRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.keys.purgeOlderThan(this.dataSource.manager, KEY_LIFETIME_MS).catch((err: unknown) => {
        this.logger.warn({ err }, 'Could not purge old idempotency keys');
      });
    }, PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
