import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { AppDataSource } from './data-source.js';

const names = new Map<string, string>();

// For hot reads outside transactions (the request path): straight through the driver's pool, with
// no QueryRunner per call, and on PostgreSQL as a named prepared statement, parsed and planned
// once per connection instead of on every call (planning the session list cost PostgreSQL three
// times its execution). The embedded database has no named statements: it gets the text.
// `text` must be one of a fixed set of statements (values go in `values`): each distinct text is
// prepared on every connection for the life of the pool.
export async function preparedQuery<R>(dataSource: DataSource, text: string, values: unknown[]): Promise<R[]>;
// rowMode 'array': each row as an array of the selected columns, in order.
export async function preparedQuery<R>(dataSource: DataSource, options: { rowMode: 'array' }, text: string, values: unknown[]): Promise<R[]>;
export async function preparedQuery<R>(
  dataSource: DataSource,
  ...args: [string, unknown[]] | [{ rowMode: 'array' }, string, unknown[]]
): Promise<R[]> {
  const [options, text, values] = args.length === 2 ? [{}, ...args] : args;
  const pool = (dataSource.driver as PostgresDriver).master as pg.Pool;
  const embedded = dataSource instanceof AppDataSource && dataSource.isEmbedded;
  let name: string | undefined;
  if (!embedded) {
    name = names.get(text);
    if (!name) names.set(text, (name = `cbx_${names.size + 1}`));
  }
  const result = await pool.query({ ...options, name, text, values });
  return result.rows as R[];
}
