import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { updateReturning } from '../database/update-returning.js';

export interface MemberRow {
  userId: string;
  email: string | null;
  name: string | null;
  addedAt: Date;
}

@Injectable()
export class SessionMembersRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  // Adding someone twice keeps the first membership; returns when they were added.
  async add(sessionId: string, userId: string): Promise<Date> {
    const rows: { added_at: Date }[] = await this.dataSource.query(
      `INSERT INTO session_members (session_id, user_id) VALUES ($1, $2)
       ON CONFLICT (session_id, user_id) DO UPDATE SET added_at = session_members.added_at RETURNING added_at`,
      [sessionId, userId],
    );
    return rows[0].added_at;
  }

  async remove(sessionId: string, userId: string): Promise<boolean> {
    const rows = await updateReturning(
      this.dataSource,
      `DELETE FROM session_members WHERE session_id = $1 AND user_id = $2 RETURNING user_id`,
      [sessionId, userId],
    );
    return rows.length > 0;
  }

  async list(sessionId: string): Promise<MemberRow[]> {
    const rows: { user_id: string; email: string | null; name: string | null; added_at: Date }[] = await this.dataSource.query(
      `SELECT m.user_id, u.email, u.name, m.added_at FROM session_members m JOIN users u ON u.id = m.user_id
        WHERE m.session_id = $1 ORDER BY m.added_at, m.user_id`,
      [sessionId],
    );
    return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, addedAt: r.added_at }));
  }

  // Everyone who may follow the session's replies: the owner and the members.
  async participantIds(sessionId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      `SELECT user_id FROM chat_sessions WHERE id = $1 UNION SELECT user_id FROM session_members WHERE session_id = $1`,
      [sessionId],
    );
    return rows.map((r) => r.user_id);
  }
}
