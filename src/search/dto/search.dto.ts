import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/pagination/cursor.js';

export class SearchQueryDto extends PageQueryDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    description: 'Words to find (web search syntax: "exact phrase", -excluded, or)',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q!: string;
}

export class SearchHitDto {
  @ApiProperty({ enum: ['message', 'session'], description: 'A message, or a conversation whose title matched' }) type!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ type: String, nullable: true }) sessionTitle!: string | null;
  @ApiPropertyOptional({ format: 'uuid' }) messageId?: string;
  @ApiPropertyOptional({ enum: ['user', 'assistant'] }) role?: string;
  @ApiProperty({ description: 'HTML-escaped text around the matches, which are wrapped in <mark></mark>' }) snippet!: string;
  @ApiProperty({ description: 'Relevance (higher is better)' }) rank!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class SearchPageDto extends PageDto {
  @ApiProperty({ type: [SearchHitDto] }) data!: SearchHitDto[];
}
