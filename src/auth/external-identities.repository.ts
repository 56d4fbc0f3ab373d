import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids.js';
import { ExternalIdentity } from './entities/external-identity.entity.js';

@Injectable()
export class ExternalIdentitiesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async findUserId(issuer: string, subject: string, em?: EntityManager): Promise<string | null> {
    const row = await (em ?? this.dataSource.manager).getRepository(ExternalIdentity).findOneBy({ issuer, subject });
    return row?.userId ?? null;
  }

  async insert(link: { userId: string; issuer: string; subject: string }, em: EntityManager): Promise<void> {
    await em.getRepository(ExternalIdentity).insert({ id: newId(), ...link });
  }
}
