import { AppError, CommonErrorCode } from '../common/errors/domain-error.js';

// Idempotency-Key: any client-chosen token of printable ASCII, at most 255 characters.
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (header.length > 255 || !/^[\x21-\x7e]+$/.test(header)) {
    throw new AppError(CommonErrorCode.BadRequest, 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
  return header;
}

export function parseLastEventId(header: string | undefined, query: number | undefined): number {
  if (header === undefined || header === '') return query ?? 0;
  if (!/^\d{1,9}$/.test(header)) throw new AppError(CommonErrorCode.BadRequest, 'Last-Event-ID must be a sequence number');
  return Number(header);
}
