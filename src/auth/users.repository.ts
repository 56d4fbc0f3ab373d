import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../common/auth/principal.js';
import { newId } from '../common/ids.js';
import { preparedQuery } from '../database/prepared-query.js';
import { User } from './entities/user.entity.js';

export interface NewUser {
  email: string | null;
  name: string | null;
  passwordHash: string | null;
  role: Role;
}

export type UserWithPassword = User & { passwordHash: string | null };

interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
  role: Role;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

@Injectable()
export class UsersRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private repo(em?: EntityManager) {
    return (em ?? this.dataSource.manager).getRepository(User);
  }

  // Outside a transaction (every authenticated request's profile or status read): one prepared
  // statement instead of a query builder per call.
  async findById(id: string, em?: EntityManager): Promise<User | null> {
    if (em) return this.repo(em).findOneBy({ id });
    const rows = await preparedQuery<UserRow>(
      this.dataSource,
      'SELECT id, email, name, role, active, created_at, updated_at FROM users WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row
      ? Object.assign(new User(), { id: row.id, email: row.email, name: row.name, role: row.role, active: row.active, createdAt: row.created_at, updatedAt: row.updated_at })
      : null;
  }

  findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
    return this.findWithPassword('u.email = :email', { email });
  }

  findByIdWithPassword(id: string): Promise<UserWithPassword | null> {
    return this.findWithPassword('u.id = :id', { id });
  }

  // The hash is excluded from every other read (select: false on the column).
  private findWithPassword(where: string, params: Record<string, string>): Promise<UserWithPassword | null> {
    return this.repo().createQueryBuilder('u').addSelect('u.passwordHash').where(where, params).getOne() as Promise<UserWithPassword | null>;
  }

  async anyExists(em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM users LIMIT 1');
    return rows.length > 0;
  }

  async insert(user: NewUser, em?: EntityManager): Promise<User> {
    const entity = this.repo(em).create({ id: newId(), active: true, ...user });
    await this.repo(em).insert(entity);
    return (await this.findById(entity.id, em))!;
  }

  async update(id: string, patch: Partial<Pick<User, 'role' | 'active' | 'name'>>, em?: EntityManager): Promise<User | null> {
    await this.repo(em).update({ id }, patch);
    return this.findById(id, em);
  }

  async setPasswordHash(id: string, passwordHash: string, em?: EntityManager): Promise<void> {
    await this.repo(em).update({ id }, { passwordHash });
  }

  // Newest first; ids are UUIDv7, so id order is creation order.
  listPage(limit: number, beforeId?: string): Promise<User[]> {
    const qb = this.repo().createQueryBuilder('u').orderBy('u.id', 'DESC').limit(limit + 1);
    if (beforeId) qb.where('u.id < :beforeId', { beforeId });
    return qb.getMany();
  }
}
