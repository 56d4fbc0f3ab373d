import fastJson from 'fast-json-stringify';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/pagination/cursor.js';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import type { ListedSession, SessionRole, SessionView } from '../sessions.repository.js';
import { SessionSettingsDto } from './session-settings.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateSessionDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Left empty, a title is generated after the first reply' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ type: SessionSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SessionSettingsDto)
  settings?: SessionSettingsDto;

  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() pinned?: boolean;
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() archived?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  folder?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(50, { each: true })
  tags?: string[];
}

export class UpdateSessionDto extends CreateSessionDto {}

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false, description: 'List archived sessions instead of active ones' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  archived = false;

  @ApiPropertyOptional({ description: 'Only sessions in this folder' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  folder?: string;

  @ApiPropertyOptional({ description: 'Only sessions with this tag' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;
}

export class SessionSettingsResponseDto {
  @ApiProperty() provider!: string;
  @ApiProperty() model!: string;
  @ApiProperty({ type: String, nullable: true }) systemPrompt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) temperature!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxTokens!: number | null;
  @ApiProperty({ type: Number, nullable: true }) contextMessages!: number | null;
}

export class SessionSettingsViewDto extends SessionSettingsResponseDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Knowledge bases searched for every reply' }) knowledgeBaseIds!: string[];
}

// The generation settings of a session, as every response and export shows them.
export function settingsOf(s: SessionSettingsResponseDto): SessionSettingsResponseDto {
  return {
    provider: s.provider,
    model: s.model,
    systemPrompt: s.systemPrompt,
    temperature: s.temperature,
    maxTokens: s.maxTokens,
    contextMessages: s.contextMessages,
  };
}

export class SessionResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['owner', 'member'], description: 'Your role: owners manage settings, members and deletion' })
  role!: SessionRole;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: SessionSettingsViewDto }) settings!: SessionSettingsViewDto;
  @ApiProperty() pinned!: boolean;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ type: String, nullable: true }) folder!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) currentLeafId!: string | null;
  @ApiProperty({ format: 'date-time' }) lastActivityAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(s: SessionView): SessionResponseDto {
    return {
      id: s.id,
      role: s.role,
      title: s.title,
      // Exports leave knowledge bases out: they are the owner's private objects.
      settings: { ...settingsOf(s), knowledgeBaseIds: s.knowledgeBaseIds },
      pinned: s.pinned,
      archived: s.archived,
      folder: s.folder,
      tags: s.tags,
      currentLeafId: s.currentLeafId,
      lastActivityAt: s.lastActivityAt.toISOString(),
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }

  // A list entry, whose times the repository already formatted.
  static fromListed(s: ListedSession): SessionResponseDto {
    return {
      id: s.id,
      role: s.role,
      title: s.title,
      settings: {
        provider: s.provider,
        model: s.model,
        systemPrompt: s.systemPrompt,
        temperature: s.temperature,
        maxTokens: s.maxTokens,
        contextMessages: s.contextMessages,
        knowledgeBaseIds: s.knowledgeBaseIds,
      },
      pinned: s.pinned,
      archived: s.archived,
      folder: s.folder,
      tags: s.tags,
      currentLeafId: s.currentLeafId,
      lastActivityAt: s.lastActivityAt,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class SessionPageDto extends PageDto {
  @ApiProperty({ type: [SessionResponseDto] }) data!: SessionResponseDto[];
}

// The list's 200 response as a JSON schema for its serializer (fast-json-stringify, below): it
// writes a page of 20 in about half the time JSON.stringify takes. Properties are in the order
// SessionResponseDto.fromListed and toPage build them, so the bytes are JSON.stringify's; the
// OpenAPI spec checks it describes SessionPageDto field for field.
const nullable = (type: 'string' | 'number') => ({ type, nullable: true });
const stringArray = { type: 'array', items: { type: 'string' } };
const required = (properties: Record<string, unknown>) => ({ type: 'object', properties, required: Object.keys(properties) });

export const SESSION_PAGE_SCHEMA = required({
  data: {
    type: 'array',
    items: required({
      id: { type: 'string' },
      role: { type: 'string' },
      title: nullable('string'),
      settings: required({
        provider: { type: 'string' },
        model: { type: 'string' },
        systemPrompt: nullable('string'),
        temperature: nullable('number'),
        maxTokens: nullable('number'),
        contextMessages: nullable('number'),
        knowledgeBaseIds: stringArray,
      }),
      pinned: { type: 'boolean' },
      archived: { type: 'boolean' },
      folder: nullable('string'),
      tags: stringArray,
      currentLeafId: nullable('string'),
      lastActivityAt: { type: 'string' },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
    }),
  },
  nextCursor: nullable('string'),
});

export const serializeSessionPage: (page: SessionPageDto) => string = fastJson(SESSION_PAGE_SCHEMA as Parameters<typeof fastJson>[0]);
