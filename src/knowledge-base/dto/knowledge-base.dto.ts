import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalNotNull } from '../../common/validation/optional-not-null.js';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { PageDto } from '../../common/pagination/cursor.js';
import type { KnowledgeBase } from '../entities/knowledge-base.entity.js';

export class EmbeddingSettingsDto {
  @ApiProperty({ example: 'local', description: '"local" (built-in lexical embedder, no network) or a provider id with embeddings (openai, google, mistral, an OpenAI-compatible one)' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'embedding.provider must be a provider id such as openai, or local' })
  provider!: string;

  @ApiProperty({ example: 'hashing-v1' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 2000, description: 'Vector size. Local: 64-2000 (default 384). A provider: checked against one probe embedding; when given it is also sent as the "dimensions" parameter' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2000)
  dimensions?: number;
}

export class ChunkingSettingsDto {
  @ApiPropertyOptional({ minimum: 64, maximum: 4096, default: 512, description: 'Tokens per chunk' })
  @IsOptional()
  @IsInt()
  @Min(64)
  @Max(4096)
  size?: number;

  @ApiPropertyOptional({ minimum: 0, default: 64, description: 'Tokens shared by consecutive chunks (less than half the size)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2047)
  overlap?: number;
}

export class CreateKnowledgeBaseDto {
  @ApiProperty({ example: 'Product handbook', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ type: EmbeddingSettingsDto, description: 'Fixed at creation (default: local/hashing-v1, 384 dimensions)' })
  @IsOptional()
  @ValidateNested()
  @Type(() => EmbeddingSettingsDto)
  embedding?: EmbeddingSettingsDto;

  @ApiPropertyOptional({ type: ChunkingSettingsDto, description: 'Applies to documents added afterwards' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChunkingSettingsDto)
  chunking?: ChunkingSettingsDto;
}

export class UpdateKnowledgeBaseDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ type: ChunkingSettingsDto, description: 'Applies to documents added afterwards' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChunkingSettingsDto)
  chunking?: ChunkingSettingsDto;
}

class EmbeddingViewDto {
  @ApiProperty({ example: 'local' }) provider!: string;
  @ApiProperty({ example: 'hashing-v1' }) model!: string;
  @ApiProperty({ example: 384 }) dimensions!: number;
}

class ChunkingViewDto {
  @ApiProperty({ example: 512 }) size!: number;
  @ApiProperty({ example: 64 }) overlap!: number;
}

export class KnowledgeBaseResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: EmbeddingViewDto }) embedding!: EmbeddingViewDto;
  @ApiProperty({ type: ChunkingViewDto }) chunking!: ChunkingViewDto;
  @ApiProperty({ description: 'Chunks indexed (of ready documents)' }) chunkCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(kb: KnowledgeBase): KnowledgeBaseResponseDto {
    return {
      id: kb.id,
      name: kb.name,
      description: kb.description,
      embedding: { provider: kb.embeddingProvider, model: kb.embeddingModel, dimensions: kb.embeddingDimensions },
      chunking: { size: kb.chunkSize, overlap: kb.chunkOverlap },
      chunkCount: kb.chunkCount,
      createdAt: kb.createdAt.toISOString(),
      updatedAt: kb.updatedAt.toISOString(),
    };
  }
}

export class KnowledgeBasePageDto extends PageDto {
  @ApiProperty({ type: [KnowledgeBaseResponseDto] }) data!: KnowledgeBaseResponseDto[];
}
