import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError, CommonErrorCode } from '../errors/domain-error.js';

export const MAX_PAGE_SIZE = 100;

export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit = 20;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (nextCursor)' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

// Cursors are opaque to clients: base64url of the last row's sort key.
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

// What each field of a cursor holds; checked here, so a cursor tampered with is a 400, never a
// failed cast in the query.
export type CursorField = 'uuid' | 'timestamp' | 'number';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELD_CHECKS: Record<CursorField, (value: string) => boolean> = {
  uuid: (v) => UUID.test(v),
  timestamp: (v) => TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v)),
  number: (v) => v.length <= 32 && v.trim() !== '' && Number.isFinite(Number(v)),
};

export function decodeCursor<K extends string>(cursor: string | undefined, fields: Record<K, CursorField>): Record<K, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    const valid = (Object.entries(fields) as [K, CursorField][]).every(([name, kind]) => {
      const value = parsed[name];
      return typeof value === 'string' && FIELD_CHECKS[kind](value);
    });
    if (valid) return parsed as Record<K, string>;
  } catch {
    // fall through to the error below
  }
  throw new AppError(CommonErrorCode.BadRequest, 'cursor is not valid');
}

// Builds a page from rows fetched with limit + 1: the extra row only says another page exists.
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => Record<string, string>): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(keyOf(pageRows[pageRows.length - 1])) : null,
  };
}

export class PageDto {
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor to get the next page; null on the last page' })
  nextCursor!: string | null;
}
