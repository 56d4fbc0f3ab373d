import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  isUUID,
  length,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { Citation } from '../../knowledge-base/citation.js';
import { CitationDto } from '../../knowledge-base/dto/search.dto.js';
import { PageDto } from '../../common/pagination/cursor.js';
import type { ContentPart } from '../../providers/provider.types.js';
import { MESSAGE_STATUSES, type Message, type MessageError } from '../entities/message.entity.js';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import { ContentPartDto, InputContentPartDto, MAX_TEXT_CHARS } from './content-part.dto.js';

export const MAX_PARTS = 20;

export class MessageContentDto {
  @ApiPropertyOptional({ maxLength: MAX_TEXT_CHARS, description: 'Plain text (or send contentParts)' })
  @ValidateIf((o: MessageContentDto) => o.contentParts === undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEXT_CHARS)
  content?: string;

  @ApiPropertyOptional({ type: [InputContentPartDto], maxItems: MAX_PARTS })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PARTS)
  @ValidateNested({ each: true })
  @Type(() => InputContentPartDto)
  contentParts?: InputContentPartDto[];
}

export class SendMessageDto extends MessageContentDto {
  // The usual body, text and at most a parent id, checked with the same validator functions the
  // decorators below use (see AcceptsPlain); any other body goes through class-validator.
  static acceptPlain(body: Record<string, unknown>): SendMessageDto | undefined {
    for (const key in body) if (key !== 'content' && key !== 'parentId') return undefined;
    const { content, parentId } = body;
    if (!length(content, 1, MAX_TEXT_CHARS)) return undefined;
    if (parentId !== undefined && parentId !== null && !isUUID(parentId)) return undefined;
    return Object.assign(new SendMessageDto(), body);
  }

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Reply under this message (default: the current leaf; null starts a new root branch)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  parentId?: string | null;
}

export class EditMessageDto extends MessageContentDto {}

export class BranchQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 200, description: 'Most messages, counted from the leaf' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 200;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page: continue towards the root' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export class UsageDto {
  @ApiProperty({ type: Number, nullable: true }) inputTokens!: number | null;
  @ApiProperty({ type: Number, nullable: true }) outputTokens!: number | null;
  @ApiProperty({ type: Number, nullable: true }) reasoningTokens!: number | null;
  @ApiProperty({ description: "The counts are estimated with a tokenizer: the vendor reported none (a stopped reply, a server that sends no usage)" })
  estimated!: boolean;
}

export class MessageErrorDto {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty() code!: string;
  @ApiPropertyOptional() provider?: string;
  @ApiPropertyOptional({ description: "The vendor's HTTP status" }) upstreamStatus?: number;
  @ApiPropertyOptional() retryable?: boolean;
}

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who wrote a user message (group sessions)' })
  authorId!: string | null;
  @ApiProperty({ enum: ['user', 'assistant'] }) role!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ type: [ContentPartDto] }) contentParts!: ContentPart[];
  @ApiProperty({ description: 'The text parts joined' }) content!: string;
  @ApiProperty({ type: [String], description: 'Ids of this message and its siblings (same parent), oldest first' })
  siblingIds!: string[];
  @ApiProperty({ type: String, nullable: true }) provider!: string | null;
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
  @ApiProperty({ type: UsageDto }) usage!: UsageDto;
  @ApiProperty({ type: Number, nullable: true }) timeToFirstTokenMs!: number | null;
  @ApiProperty({ type: String, nullable: true }) finishReason!: string | null;
  @ApiProperty({ type: MessageErrorDto, nullable: true }) error!: MessageError | null;
  @ApiProperty({ type: [CitationDto], nullable: true, description: 'Knowledge-base chunks the reply was given, as [n] in its prompt (null: no knowledge base searched)' })
  citations!: Citation[] | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static from(m: Message, siblingIds: string[]): MessageResponseDto {
    return {
      id: m.id,
      sessionId: m.sessionId,
      parentId: m.parentId,
      authorId: m.authorId,
      role: m.role,
      status: m.status,
      contentParts: m.contentParts,
      content: m.content,
      siblingIds,
      provider: m.provider,
      model: m.model,
      usage: { inputTokens: m.inputTokens, outputTokens: m.outputTokens, reasoningTokens: m.reasoningTokens, estimated: m.usageEstimated },
      timeToFirstTokenMs: m.timeToFirstTokenMs,
      finishReason: m.finishReason,
      error: m.error,
      citations: m.citations,
      createdAt: m.createdAt.toISOString(),
    };
  }
}

export class ExchangeResponseDto {
  @ApiProperty({ type: MessageResponseDto }) userMessage!: MessageResponseDto;
  @ApiProperty({ type: MessageResponseDto, description: 'The reply, status "streaming" while it generates' })
  assistantMessage!: MessageResponseDto;
}

export class ReplyResponseDto {
  @ApiProperty({ type: MessageResponseDto }) assistantMessage!: MessageResponseDto;
}

export class MessageBranchDto extends PageDto {
  @ApiProperty({ type: [MessageResponseDto], description: 'Root to leaf' }) data!: MessageResponseDto[];
}
