// `npm run migration:run`: applies pending migrations to the configured database and exits.
// (The app also migrates at boot; this is for deploy pipelines that migrate first.)
import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { openDatabase } from './data-source.js';

const dataSource = await openDatabase(new AppConfig());
const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
await dataSource.destroy();
process.stdout.write(`Database is up to date. Applied migrations:\n${applied.map((m) => `  ${m.name}`).join('\n')}\n`);
