import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DirectoryUser {
  id: string;
  email: string | null;
  name: string | null;
}

// Looks up other users by email or id (to add them to a group session, to show authors). Only
// active accounts are found.
@Injectable()
export class UserDirectoryService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async findByEmail(email: string): Promise<DirectoryUser | null> {
    const rows: DirectoryUser[] = await this.dataSource.query(
      `SELECT id, email, name FROM users WHERE email = lower($1) AND active`,
      [email.trim()],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<DirectoryUser | null> {
    const rows: DirectoryUser[] = await this.dataSource.query(`SELECT id, email, name FROM users WHERE id = $1 AND active`, [id]);
    return rows[0] ?? null;
  }
}
