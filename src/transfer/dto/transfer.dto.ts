import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ContentPartDto } from '../../messages/dto/content-part.dto.js';
import { UsageDto } from '../../messages/dto/message.dto.js';
import { SessionSettingsResponseDto } from '../../sessions/dto/session.dto.js';
import type { ContentPart } from '../../providers/provider.types.js';

export const EXPORT_FORMATS = ['json', 'markdown'] as const;

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json', description: 'json: the whole tree; markdown: the current branch' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format: (typeof EXPORT_FORMATS)[number] = 'json';
}

export class ExportedMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: [ContentPartDto] }) contentParts!: ContentPart[];
  @ApiProperty() content!: string;
  @ApiProperty({ type: String, nullable: true }) provider!: string | null;
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
  @ApiProperty({ type: UsageDto }) usage!: UsageDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ExportedSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: SessionSettingsResponseDto }) settings!: SessionSettingsResponseDto;
  @ApiProperty() pinned!: boolean;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ type: String, nullable: true }) folder!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) currentLeafId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) lastActivityAt!: string;
  @ApiProperty({ type: [ExportedMessageDto], description: 'Every message of every branch, oldest first' })
  messages!: ExportedMessageDto[];
}

export class ExportDocumentDto {
  @ApiProperty({ example: 'chatbox-backend.export' }) format!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ format: 'date-time' }) exportedAt!: string;
  @ApiProperty({ type: [ExportedSessionDto] }) sessions!: ExportedSessionDto[];
}

export class ImportCountsDto {
  @ApiProperty() sessions!: number;
  @ApiProperty() messages!: number;
}

export class ImportResultDto {
  @ApiProperty({ type: ImportCountsDto }) imported!: ImportCountsDto;
  @ApiProperty({ type: [String], description: 'Ids of the new sessions, in file order' }) sessionIds!: string[];
}
