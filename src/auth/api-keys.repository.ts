import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { Role } from '../common/auth/principal.js';
import { newId } from '../common/ids.js';
import { preparedQuery } from '../database/prepared-query.js';
import { ApiKey } from './entities/api-key.entity.js';

export interface ActiveApiKey {
  id: string;
  userId: string;
  scopes: ApiKey['scopes'];
  role: Role;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKey);
  }

  async insert(key: Pick<ApiKey, 'userId' | 'name' | 'prefix' | 'keyHash' | 'scopes' | 'expiresAt'>): Promise<ApiKey> {
    const entity = this.repo.create({ id: newId(), lastUsedAt: null, revokedAt: null, ...key });
    await this.repo.insert(entity);
    return (await this.repo.findOneBy({ id: entity.id }))!;
  }

  listPageForUser(userId: string, limit: number, beforeId?: string): Promise<ApiKey[]> {
    const qb = this.repo
      .createQueryBuilder('k')
      .where('k.userId = :userId AND k.revokedAt IS NULL', { userId })
      .orderBy('k.id', 'DESC')
      .limit(limit + 1);
    if (beforeId) qb.andWhere('k.id < :beforeId', { beforeId });
    return qb.getMany();
  }

  // One indexed lookup that also checks the key's owner is still active.
  async findActiveByHash(keyHash: string): Promise<ActiveApiKey | null> {
    const rows: { id: string; user_id: string; scopes: ApiKey['scopes']; role: Role; last_used_at: Date | null; expires_at: Date | null }[] =
      await preparedQuery(
        this.dataSource,
        `SELECT k.id, k.user_id, k.scopes, k.last_used_at, k.expires_at, u.role
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.active
            AND (k.expires_at IS NULL OR k.expires_at > now())`,
        [keyHash],
      );
    const row = rows[0];
    return row
      ? { id: row.id, userId: row.user_id, scopes: row.scopes, role: row.role, lastUsedAt: row.last_used_at, expiresAt: row.expires_at }
      : null;
  }

  async touch(id: string): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: new Date() });
  }

  async revoke(id: string, userId: string): Promise<boolean> {
    const result = await this.repo.update({ id, userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
