// `npm run migration:run`: applies pending migrations to the configured database and exits.
import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { openDatabase } from './data-source.js';

const dataSource = await openDatabase(new AppConfig());
const pending = await dataSource.showMigrations();
await dataSource.destroy();
process.stdout.write(`migrations up to date${pending ? ' (some still pending!)' : ''}\n`);
