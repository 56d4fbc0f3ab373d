import type { DataSource, EntityManager } from 'typeorm';

// TypeORM's postgres driver answers UPDATE and DELETE with [rows, affectedCount] (other
// statements with rows): this returns the RETURNING rows of either.
export async function updateReturning<T>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = await db.query<[T[], number]>(sql, params);
  return rows;
}
