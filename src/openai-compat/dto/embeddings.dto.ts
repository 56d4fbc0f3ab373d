import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsEmbeddingInput } from './validators.js';

export const MAX_EMBEDDING_INPUTS = 256;
export const MAX_EMBEDDING_INPUT_CHARS = 100_000;

export class EmbeddingsRequestDto {
  @ApiProperty({ example: 'openai/text-embedding-3-small', description: '"provider/model"; a bare model id uses the default provider' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  model!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: MAX_EMBEDDING_INPUTS }],
    description: `Text, or up to ${MAX_EMBEDDING_INPUTS} texts of at most ${MAX_EMBEDDING_INPUT_CHARS} characters (token arrays are not supported)`,
  })
  @IsEmbeddingInput(MAX_EMBEDDING_INPUTS, MAX_EMBEDDING_INPUT_CHARS)
  input!: string | string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 8192 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8192)
  dimensions?: number;

  @ApiPropertyOptional({ enum: ['float', 'base64'], description: 'base64: little-endian float32 bytes (what OpenAI SDKs ask for)' })
  @IsOptional()
  @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional({ description: 'An end-user id; accepted, not forwarded' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;
}

export class EmbeddingDto {
  @ApiProperty({ enum: ['embedding'] }) object!: 'embedding';
  @ApiProperty() index!: number;
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string', description: 'base64 float32 LE' }] })
  embedding!: number[] | string;
}

export class EmbeddingsUsageDto {
  @ApiProperty() prompt_tokens!: number;
  @ApiProperty() total_tokens!: number;
}

export class EmbeddingsResponseDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [EmbeddingDto] }) data!: EmbeddingDto[];
  @ApiProperty({ example: 'openai/text-embedding-3-small' }) model!: string;
  @ApiProperty({ type: EmbeddingsUsageDto }) usage!: EmbeddingsUsageDto;
}
