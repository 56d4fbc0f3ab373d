import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/pagination/cursor.js';
import type { Upload } from '../entities/upload.entity.js';

export class UploadResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Display name: the client filename, sanitized (last path segment only)', example: 'photo.png' })
  filename!: string;
  @ApiProperty({ description: 'Type detected from the content', example: 'image/png' }) contentType!: string;
  @ApiProperty({ example: 1024 }) sizeBytes!: number;
  @ApiProperty({ description: 'SHA-256 of the content, hex', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(u: Upload): UploadResponseDto {
    return {
      id: u.id,
      filename: u.filename,
      contentType: u.contentType,
      sizeBytes: u.sizeBytes,
      sha256: u.sha256,
      createdAt: u.createdAt.toISOString(),
    };
  }
}

export class UploadPageDto extends PageDto {
  @ApiProperty({ type: [UploadResponseDto] }) data!: UploadResponseDto[];
}

export class UploadQuotaDto {
  @ApiProperty({ description: 'Bytes your uploads take now', example: 1024 }) usedBytes!: number;
  @ApiProperty({ description: 'Your limit (UPLOAD_QUOTA_BYTES)', example: 1073741824 }) quotaBytes!: number;
}

// The multipart body, for the OpenAPI document.
export class UploadFileBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file (one part named "file")' }) file!: unknown;
}

export interface ImageData {
  mimeType: string;
  data: string; // base64
}
