import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { AppConfig } from '../config/app-config.js';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { openEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';
import { QueryLogger } from './query-logger.js';

// Any constant shared by every instance: serializes concurrent migration runs.
const MIGRATION_LOCK_ID = 7_316_402_118;

// A DataSource that also owns the embedded database it runs on, if any.
export class AppDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly embedded?: EmbeddedPostgres,
  ) {
    super(options);
  }

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  override async destroy(): Promise<void> {
    if (this.isInitialized) await super.destroy();
    await this.embedded?.close();
  }
}

export function buildDataSourceOptions(config: AppConfig, embedded?: EmbeddedPostgres): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    // Passed explicitly rather than required by name inside TypeORM (works under any loader).
    driver: pg,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logger: new QueryLogger(),
    maxQueryExecutionTime: 1_000,
  };
  if (embedded) {
    // One in-process connection. query_timeout makes a misuse (a query on another connection
    // while a transaction holds the only one) fail instead of hanging forever.
    return {
      ...common,
      extra: { ...createPgConfig(embedded.pglite), max: 1, query_timeout: config.database.queryTimeoutMs },
    };
  }
  return {
    ...common,
    url: config.database.url,
    extra: {
      max: config.database.poolMax,
      query_timeout: config.database.queryTimeoutMs,
      connectionTimeoutMillis: 10_000,
    },
  };
}

export async function openDatabase(config: AppConfig): Promise<AppDataSource> {
  const embedded = config.embeddedDatabase ? await openEmbeddedPostgres(config.dataDir) : undefined;
  const dataSource = new AppDataSource(buildDataSourceOptions(config, embedded), embedded);
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return dataSource;
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
}

// Several instances may boot at once against one PostgreSQL: an advisory lock held on its own
// connection lets one of them migrate while the others wait. The embedded database has a single
// connection and a single process (lockfile), so it needs no lock.
export async function runMigrations(dataSource: AppDataSource): Promise<string[]> {
  if (dataSource.isEmbedded) {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockRunner.release();
  }
}
