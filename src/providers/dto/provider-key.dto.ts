import { Transform } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import type { ProviderKey } from '../entities/provider-key.entity.js';

export class PutProviderKeyDto {
  @ApiProperty({ example: 'sk-…', description: 'Stored encrypted; never returned', maxLength: 500 })
  // Trimmed before the checks: a key of blanks would be stored empty and shadow the server key.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  apiKey!: string;

  @ApiPropertyOptional({
    example: 'https://my-gateway.example.com/v1',
    description: 'Only for openai, anthropic and OpenAI-compatible providers; must resolve to a public address',
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(500)
  baseUrl?: string;
}

export class ProviderKeyResponseDto {
  @ApiProperty({ example: 'openai' }) provider!: string;
  @ApiProperty({ type: String, nullable: true }) baseUrl!: string | null;
  @ApiProperty({ example: true }) hasKey!: true;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;

  static from(key: ProviderKey): ProviderKeyResponseDto {
    return { provider: key.provider, baseUrl: key.baseUrl, hasKey: true, updatedAt: key.updatedAt.toISOString() };
  }
}

export class ProviderKeyListDto {
  @ApiProperty({ type: [ProviderKeyResponseDto] }) data!: ProviderKeyResponseDto[];
}
