import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { newId } from '../common/ids.js';
import { sanitizeFilename } from './content-disposition.js';
import { detectType, SNIFF_BYTES } from './content-types.js';
import { UploadResponseDto } from './dto/upload.dto.js';
import { type FileStream, ingestBody, quotaExceeded, readHead } from './ingest-stream.js';
import { newObjectKey } from './storage/object-keys.js';
import { StorageDriver } from './storage/storage-driver.js';
import { UploadsRepository } from './uploads.repository.js';
import { UploadsError, UploadsErrorCode } from './uploads.errors.js';

export interface IncomingFile {
  stream: FileStream;
  filename: string | undefined;
  declaredType: string | undefined;
}

// POST /uploads: stream to storage, then record the row within the quota. Whatever fails
// (limits, type, quota, storage, a client that goes away), the object is deleted and no row
// is written.
@Injectable()
export class UploadIngestService {
  private readonly logger = new Logger(UploadIngestService.name);

  constructor(
    @Inject(UploadsRepository) private readonly uploads: UploadsRepository,
    @Inject(StorageDriver) private readonly storage: StorageDriver,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async ingest(userId: string, file: IncomingFile): Promise<UploadResponseDto> {
    try {
      return await this.store(userId, file);
    } finally {
      // After a refusal the rest of the part is read and discarded, so the client gets the
      // answer once it has finished sending (busboy reads no further than the request).
      file.stream.resume();
    }
  }

  private async store(userId: string, file: IncomingFile): Promise<UploadResponseDto> {
    const { maxBytes, quotaBytes } = this.config.uploads;
    const used = await this.uploads.usedBytes(userId);
    // An early answer for a user already at the quota; the binding check is at insert time.
    if (used >= quotaBytes) throw quotaExceeded(quotaBytes, used);

    const filename = sanitizeFilename(file.filename);
    const head = await readHead(file.stream, SNIFF_BYTES);
    if (head.complete && head.bytes.length === 0) throw new UploadsError(UploadsErrorCode.EmptyFile, 'The file is empty');
    const type = await detectType(head.bytes, head.complete, filename, file.declaredType);
    const key = newObjectKey(userId);
    const { body, result } = ingestBody(file.stream, head, { maxBytes, quotaBytes, remainingQuota: quotaBytes - used, text: type.text });
    try {
      const stored = await this.storage.put(key, body, { contentType: type.mimeType });
      const { bytes, sha256 } = result();
      if (stored.bytes !== bytes) throw new Error(`Storage holds ${stored.bytes} bytes, ${bytes} were sent`);
      const upload = await this.dataSource.transaction(async (em) => {
        await this.uploads.lockUserQuota(userId, em);
        const usedNow = await this.uploads.usedBytes(userId, em);
        if (usedNow + bytes > quotaBytes) throw quotaExceeded(quotaBytes, usedNow);
        return this.uploads.insert({ id: newId(), userId, storageKey: key, filename, contentType: type.mimeType, sizeBytes: bytes, sha256 }, em);
      });
      return UploadResponseDto.from(upload);
    } catch (err) {
      await this.storage.delete(key).catch((deleteErr: unknown) => {
        this.logger.error({ err: deleteErr, key }, 'Could not delete the object of a failed upload');
      });
      throw this.clientFacing(err);
    }
  }

  // Limits, types and multipart errors (client aborts) pass through; anything else is storage.
  private clientFacing(err: unknown): unknown {
    if (err instanceof DomainError) return err;
    const status = (err as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return err;
    this.logger.error({ err }, 'Upload to storage failed');
    return new UploadsError(UploadsErrorCode.StorageFailed, 'The file could not be stored; try again later');
  }
}
