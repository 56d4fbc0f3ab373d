import { ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, IsUUID, ValidateIf } from 'class-validator';

export const MAX_SYSTEM_PROMPT_CHARS = 100_000;
export const MAX_SESSION_KNOWLEDGE_BASES = 10;

// Generation settings of a session. In a PATCH, null clears a nullable setting.
export class SessionSettingsDto {
  @ApiPropertyOptional({ example: 'openai', description: 'Provider id from GET /providers (default: the server default)' })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'provider must be a provider id such as openai' })
  provider?: string;

  @ApiPropertyOptional({ example: 'gpt-4o-mini', description: 'Any model id of the provider; unknown ids go to the vendor as they are' })
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_SYSTEM_PROMPT_CHARS })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(MAX_SYSTEM_PROMPT_CHARS)
  systemPrompt?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 2 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 200_000, description: 'Most tokens per reply' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(200_000)
  maxTokens?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1000,
    description: 'Most earlier messages sent as context (null: as many as the model window holds)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(1000)
  contextMessages?: number | null;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_SESSION_KNOWLEDGE_BASES,
    description: 'Your knowledge bases searched for every reply (RAG); the reply carries citations. [] detaches them all',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_SESSION_KNOWLEDGE_BASES)
  @IsUUID('all', { each: true })
  knowledgeBaseIds?: string[];
}
