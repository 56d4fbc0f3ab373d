import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { updateReturning } from '../database/update-returning.js';
import { Upload } from './entities/upload.entity.js';

const COLUMNS = 'id, user_id, storage_key, filename, content_type, size_bytes, sha256, created_at';

@Injectable()
export class UploadsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // Serializes quota decisions of one user until the surrounding transaction ends.
  async lockUserQuota(userId: string, manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`uploads-quota:${userId}`]);
  }

  async usedBytes(userId: string, manager?: EntityManager): Promise<number> {
    const rows: { used: string }[] = await this.manager(manager).query(
      'SELECT COALESCE(SUM(size_bytes), 0)::text AS used FROM uploads WHERE user_id = $1',
      [userId],
    );
    return Number(rows[0].used);
  }

  async insert(upload: Omit<Upload, 'createdAt'>, manager?: EntityManager): Promise<Upload> {
    const rows: UploadRow[] = await this.manager(manager).query(
      `INSERT INTO uploads (id, user_id, storage_key, filename, content_type, size_bytes, sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [upload.id, upload.userId, upload.storageKey, upload.filename, upload.contentType, upload.sizeBytes, upload.sha256],
    );
    return toUpload(rows[0]);
  }

  // The upload when it belongs to this user; null for another user's or a missing one.
  async findOwned(userId: string, id: string): Promise<Upload | null> {
    const rows: UploadRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM uploads WHERE id = $1 AND user_id = $2`, [id, userId]);
    return rows[0] ? toUpload(rows[0]) : null;
  }

  // Newest first, keyset-paginated on (created_at, id).
  async listPage(userId: string, limit: number, before?: { createdAt: string; id: string }): Promise<Upload[]> {
    const params: unknown[] = [userId];
    let where = 'user_id = $1';
    if (before) {
      params.push(before.createdAt, before.id);
      where += ' AND (created_at, id) < ($2::timestamptz, $3::uuid)';
    }
    params.push(limit + 1);
    const rows: UploadRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM uploads WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toUpload);
  }

  async deleteOwned(userId: string, id: string): Promise<Upload | null> {
    const rows = await updateReturning<UploadRow>(
      this.dataSource,
      `DELETE FROM uploads WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
      [id, userId],
    );
    return rows[0] ? toUpload(rows[0]) : null;
  }
}

interface UploadRow {
  id: string;
  user_id: string;
  storage_key: string;
  filename: string;
  content_type: string;
  size_bytes: string;
  sha256: string;
  created_at: Date;
}

function toUpload(r: UploadRow): Upload {
  return Object.assign(new Upload(), {
    id: r.id,
    userId: r.user_id,
    storageKey: r.storage_key,
    filename: r.filename,
    contentType: r.content_type,
    sizeBytes: Number(r.size_bytes),
    sha256: r.sha256,
    createdAt: r.created_at,
  });
}
