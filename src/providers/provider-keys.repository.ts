import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids.js';
import { ProviderKey } from './entities/provider-key.entity.js';

export type ProviderKeyWrite = Pick<ProviderKey, 'userId' | 'provider' | 'baseUrl' | 'encryptedKey' | 'iv' | 'authTag' | 'keyVersion'>;

@Injectable()
export class ProviderKeysRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ProviderKey);
  }

  // One statement, so two concurrent PUTs for the same provider cannot both insert.
  async upsert(key: ProviderKeyWrite, manager?: EntityManager): Promise<ProviderKey> {
    await this.repo(manager)
      .createQueryBuilder()
      .insert()
      .values({ id: newId(), ...key })
      .orUpdate(['base_url', 'encrypted_key', 'iv', 'auth_tag', 'key_version', 'updated_at'], ['user_id', 'provider'])
      .execute();
    return (await this.findForUser(key.userId, key.provider, manager))!;
  }

  findForUser(userId: string, provider: string, manager?: EntityManager): Promise<ProviderKey | null> {
    return this.repo(manager).findOneBy({ userId, provider });
  }

  listForUser(userId: string, manager?: EntityManager): Promise<ProviderKey[]> {
    return this.repo(manager).find({ where: { userId }, order: { provider: 'ASC' } });
  }

  async deleteForUser(userId: string, provider: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ userId, provider });
    return (result.affected ?? 0) > 0;
  }
}
