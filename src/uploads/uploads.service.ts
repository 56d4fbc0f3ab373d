import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { AppConfig } from '../config/app-config.js';
import { AppError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/cursor.js';
import type { PageQueryDto } from '../common/pagination/cursor.js';
import { isImageType } from './content-types.js';
import { type ImageData, type UploadQuotaDto, UploadResponseDto } from './dto/upload.dto.js';
import type { Upload } from './entities/upload.entity.js';
import { StorageDriver } from './storage/storage-driver.js';
import { UploadsRepository } from './uploads.repository.js';
import { UploadsError, UploadsErrorCode } from './uploads.errors.js';

// How long a presigned download URL stays valid.
const PRESIGN_SECONDS = 60;

export type UploadContent =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; upload: Upload; stream: Readable };

@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    @Inject(UploadsRepository) private readonly uploads: UploadsRepository,
    @Inject(StorageDriver) private readonly storage: StorageDriver,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  // Every access goes through here: another user's upload is a 404.
  async requireOwned(userId: string, id: string): Promise<Upload> {
    const upload = await this.uploads.findOwned(userId, id);
    if (!upload) throw AppError.notFound('Upload');
    return upload;
  }

  async get(userId: string, id: string): Promise<UploadResponseDto> {
    return UploadResponseDto.from(await this.requireOwned(userId, id));
  }

  async list(userId: string, query: PageQueryDto): Promise<Page<UploadResponseDto>> {
    const before = decodeCursor(query.cursor, { createdAt: 'timestamp', id: 'uuid' });
    const rows = await this.uploads.listPage(userId, query.limit, before);
    return toPage(rows, query.limit, (u) => UploadResponseDto.from(u), (u) => ({ createdAt: u.createdAt.toISOString(), id: u.id }));
  }

  async quota(userId: string): Promise<UploadQuotaDto> {
    return { usedBytes: await this.uploads.usedBytes(userId), quotaBytes: this.config.uploads.quotaBytes };
  }

  async openContent(userId: string, id: string): Promise<UploadContent> {
    const upload = await this.requireOwned(userId, id);
    if (this.config.storage.s3?.presignedDownloads && this.storage.presignGet) {
      const url = await this.storage.presignGet(upload.storageKey, {
        filename: upload.filename,
        contentType: upload.contentType,
        expiresIn: PRESIGN_SECONDS,
      });
      return { kind: 'redirect', url };
    }
    return { kind: 'stream', upload, stream: await this.storage.get(upload.storageKey) };
  }

  // The row goes first: an object whose delete then fails is only an orphan (logged), never a
  // row pointing at nothing.
  async delete(userId: string, id: string): Promise<void> {
    const upload = await this.uploads.deleteOwned(userId, id);
    if (!upload) throw AppError.notFound('Upload');
    await this.storage.delete(upload.storageKey).catch((err: unknown) => {
      this.logger.error({ err, key: upload.storageKey }, 'Could not delete the object of a deleted upload');
    });
  }

  // For the chat engine: an image the user uploaded, as a vision model takes it.
  async loadImage(userId: string, uploadId: string): Promise<ImageData> {
    const upload = await this.requireOwned(userId, uploadId);
    if (!isImageType(upload.contentType)) {
      throw new UploadsError(UploadsErrorCode.NotAnImage, `Upload ${uploadId} is ${upload.contentType}, not a PNG, JPEG, GIF or WebP image`);
    }
    const max = this.config.uploads.imageMaxBytes;
    if (upload.sizeBytes > max) {
      throw new UploadsError(UploadsErrorCode.ImageTooLarge, `Upload ${uploadId} is larger than the image limit of ${max} bytes (UPLOAD_IMAGE_MAX_BYTES)`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.get(upload.storageKey)) chunks.push(chunk as Buffer);
    return { mimeType: upload.contentType, data: Buffer.concat(chunks).toString('base64') };
  }

  // The whole content, for parsers that need it in memory (knowledge-base ingestion).
  async readBytes(userId: string, uploadId: string, maxBytes: number): Promise<{ upload: Upload; bytes: Buffer }> {
    const upload = await this.requireOwned(userId, uploadId);
    if (upload.sizeBytes > maxBytes) {
      throw new UploadsError(UploadsErrorCode.FileTooLarge, `Upload ${uploadId} is larger than ${maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.get(upload.storageKey)) chunks.push(chunk as Buffer);
    return { upload, bytes: Buffer.concat(chunks) };
  }
}
