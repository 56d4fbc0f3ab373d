import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageDto } from '../../common/pagination/cursor.js';
import { DOCUMENT_SOURCES, DOCUMENT_STATUSES, type DocumentSourceKind, type DocumentStatus, type KbDocument } from '../entities/kb-document.entity.js';

// A JSON body names exactly one source; a file comes as multipart instead (part "file").
export class AddDocumentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One of your uploads' })
  @IsOptional()
  @IsUUID()
  uploadId?: string;

  @ApiPropertyOptional({ example: 'https://example.com/handbook.html', description: 'Fetched by the server: public http(s) addresses only, no redirects to others, size and time limits' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ description: 'Raw text (Markdown is understood)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  text?: string;

  @ApiPropertyOptional({ maxLength: 255, description: 'Display name (default: the filename, URL or first line)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  title?: string;
}

class DocumentSourceDto {
  @ApiProperty({ enum: DOCUMENT_SOURCES }) kind!: DocumentSourceKind;
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true }) uploadId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) url?: string | null;
}

export class DocumentResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: DocumentSourceDto }) source!: DocumentSourceDto;
  @ApiProperty({ type: String, nullable: true, example: 'application/pdf' }) contentType!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why ingestion failed' }) error!: string | null;
  @ApiProperty() chunkCount!: number;
  @ApiProperty() tokenCount!: number;
  @ApiProperty() characterCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(d: KbDocument): DocumentResponseDto {
    const source: DocumentSourceDto = { kind: d.sourceKind };
    if (d.sourceKind === 'upload') source.uploadId = d.uploadId;
    if (d.sourceKind === 'url') source.url = d.sourceUrl;
    return {
      id: d.id,
      knowledgeBaseId: d.knowledgeBaseId,
      title: d.title,
      source,
      contentType: d.contentType,
      status: d.status,
      progress: d.progress,
      error: d.error,
      chunkCount: d.chunkCount,
      tokenCount: d.tokenCount,
      characterCount: d.characterCount,
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    };
  }
}

export class DocumentPageDto extends PageDto {
  @ApiProperty({ type: [DocumentResponseDto] }) data!: DocumentResponseDto[];
}

// For the OpenAPI document: the two ways to send a document.
export class DocumentFileBodyDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The file (one part named "file")' }) file!: unknown;
}
