import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

// TypeORM's own loggers print query parameters, which may hold password hashes or tokens.
// This one logs failures and slow queries with the SQL text only, through the app logger.
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const code = typeof error === 'string' ? undefined : (error as Error & { code?: string }).code;
    // Unique violations are expected (they become 409s); anything else is worth a warning.
    if (code === '23505') return;
    this.logger.warn({ code, query: query.slice(0, 500) }, typeof error === 'string' ? error : error.message);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query: query.slice(0, 500) }, 'Slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message);
  }
}
