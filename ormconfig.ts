// The TypeORM CLI's data source (`npx typeorm migration:generate -d dist/ormconfig.js migrations/X`).
// The app itself opens the database through src/database/data-source.ts with the same options.
import 'reflect-metadata';
import { AppConfig } from './src/config/app-config.js';
import { AppDataSource, buildDataSourceOptions } from './src/database/data-source.js';
import { openEmbeddedPostgres } from './src/database/embedded-postgres.js';

const config = new AppConfig();
const embedded = config.embeddedDatabase ? await openEmbeddedPostgres(config.dataDir) : undefined;

export default new AppDataSource(buildDataSourceOptions(config, embedded), embedded);
