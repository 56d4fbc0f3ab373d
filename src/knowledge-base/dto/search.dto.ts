import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export const SEARCH_MODES = ['vector', 'fulltext', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
export const MAX_SEARCH_K = 50;

export class SearchKnowledgeBaseDto {
  @ApiProperty({ example: 'How long is the warranty?', maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  query!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SEARCH_K, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SEARCH_K)
  k?: number;

  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'hybrid', description: 'hybrid fuses vector and full-text ranks (reciprocal rank fusion)' })
  @IsOptional()
  @IsIn(SEARCH_MODES)
  mode?: SearchMode;
}

class LocationDto {
  @ApiPropertyOptional() page?: number;
  @ApiPropertyOptional() sheet?: string;
  @ApiPropertyOptional({ type: [Number], description: '[first, last]' }) rows?: [number, number];
  @ApiPropertyOptional() slide?: number;
  @ApiPropertyOptional() chapter?: string;
  @ApiPropertyOptional({ type: [String] }) headingPath?: string[];
  @ApiPropertyOptional({ type: [Number], description: '[first, last]' }) lines?: [number, number];
}

export class SearchHitDto {
  @ApiProperty({ format: 'uuid' }) chunkId!: string;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() documentTitle!: string;
  @ApiProperty({ description: 'vector: cosine similarity; fulltext: ts_rank_cd; hybrid: reciprocal rank fusion score' }) score!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ type: LocationDto }) location!: LocationDto;
}

export class SearchResultDto {
  @ApiProperty({ type: [SearchHitDto] }) data!: SearchHitDto[];
}

export class CitationDto {
  @ApiProperty({ description: 'The [n] the prompt labelled this source with' }) index!: number;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId!: string;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() documentTitle!: string;
  @ApiProperty({ format: 'uuid' }) chunkId!: string;
  @ApiProperty({ type: LocationDto }) location!: LocationDto;
  @ApiProperty() snippet!: string;
  @ApiProperty() score!: number;
}
