import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../common/ids.js';
import { UsageRecord } from './entities/usage-record.entity.js';

export type UsageRecordWrite = Omit<UsageRecord, 'id' | 'createdAt'>;

@Injectable()
export class UsageRecordsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(UsageRecord);
  }

  async insert(record: UsageRecordWrite, manager?: EntityManager): Promise<UsageRecord> {
    const row = this.repo(manager).create({ id: newId(), ...record });
    return this.repo(manager).save(row);
  }

  // Newest first, for a usage page or a ledger settling calls.
  listForUser(userId: string, options: { since?: Date; limit: number }, manager?: EntityManager): Promise<UsageRecord[]> {
    const query = this.repo(manager)
      .createQueryBuilder('u')
      .where('u.user_id = :userId', { userId })
      .orderBy('u.created_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(options.limit);
    if (options.since) query.andWhere('u.created_at >= :since', { since: options.since });
    return query.getMany();
  }
}
