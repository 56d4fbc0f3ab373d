import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids.js';
import { updateReturning } from '../database/update-returning.js';
import { RefreshToken } from './entities/refresh-token.entity.js';

interface ConsumedToken {
  familyId: string;
  userId: string;
}

@Injectable()
export class RefreshTokensRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private manager(em?: EntityManager): EntityManager {
    return em ?? this.dataSource.manager;
  }

  async insert(token: { familyId: string; userId: string; tokenHash: string; expiresAt: Date }, em?: EntityManager): Promise<void> {
    await this.manager(em).getRepository(RefreshToken).insert({ id: newId(), usedAt: null, revokedAt: null, ...token });
  }

  // Marks a live token used in one statement: of two concurrent rotations exactly one gets a row.
  async consume(tokenHash: string, em?: EntityManager): Promise<ConsumedToken | null> {
    const [row] = await updateReturning<{ family_id: string; user_id: string }>(
      this.manager(em),
      `UPDATE refresh_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
        RETURNING family_id, user_id`,
      [tokenHash],
    );
    return row ? { familyId: row.family_id, userId: row.user_id } : null;
  }

  findByHash(tokenHash: string, em?: EntityManager): Promise<RefreshToken | null> {
    return this.manager(em).getRepository(RefreshToken).findOneBy({ tokenHash });
  }

  async revokeFamily(familyId: string, em?: EntityManager): Promise<void> {
    await this.manager(em).query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
      [familyId],
    );
  }

  // Revokes every live family of a user but one; returns the revoked family ids.
  async revokeUserFamilies(userId: string, keepFamilyId?: string, em?: EntityManager): Promise<string[]> {
    const rows = await updateReturning<{ family_id: string }>(
      this.manager(em),
      `UPDATE refresh_tokens SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)
        RETURNING family_id`,
      [userId, keepFamilyId ?? null],
    );
    return [...new Set(rows.map((r) => r.family_id))];
  }
}
