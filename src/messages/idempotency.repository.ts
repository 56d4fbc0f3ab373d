import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export type Claim<T> = { claimed: true } | { claimed: false; requestHash: string; response: T };

// Idempotency keys live in the database, written in the same transaction as what they guard:
// a retry either sees the first result or, while the first is still in flight, waits on its row.
@Injectable()
export class IdempotencyRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async claim<T>(manager: EntityManager, userId: string, key: string, requestHash: string, response: T): Promise<Claim<T>> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, response) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [userId, key, requestHash, JSON.stringify(response)],
    );
    if (inserted.length > 0) return { claimed: true };
    const rows: { request_hash: string; response: T }[] = await manager.query(
      `SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return { claimed: false, requestHash: rows[0].request_hash, response: rows[0].response };
  }

  async find<T>(userId: string, key: string): Promise<{ requestHash: string; response: T } | null> {
    const rows: { request_hash: string; response: T }[] = await this.dataSource.query(
      `SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return rows[0] ? { requestHash: rows[0].request_hash, response: rows[0].response } : null;
  }

  async purgeOlderThan(manager: EntityManager, ms: number): Promise<void> {
    await manager.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [ms],
    );
  }
}
