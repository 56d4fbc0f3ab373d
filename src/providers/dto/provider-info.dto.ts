import { ApiProperty } from '@nestjs/swagger';
import type { ProviderKind } from '../provider.types.js';

const KINDS: ProviderKind[] = ['openai', 'anthropic', 'google', 'mistral', 'openai-compatible'];

export class ProviderModelDto {
  @ApiProperty({ example: 'gpt-4o-mini' }) id!: string;
  @ApiProperty({ example: 128000 }) contextWindow!: number;
  @ApiProperty({ description: 'Accepts image input' }) vision!: boolean;
}

export class ProviderInfoDto {
  @ApiProperty({ example: 'openai' }) id!: string;
  @ApiProperty({ enum: KINDS }) kind!: ProviderKind;
  @ApiProperty({ example: 'OpenAI' }) name!: string;
  @ApiProperty({ type: [ProviderModelDto] }) models!: ProviderModelDto[];
  @ApiProperty({ enum: ['server', 'user'], description: 'Whose credential is used: your own key wins over the server’s' })
  source!: 'server' | 'user';
}

export class ProviderListDto {
  @ApiProperty({ type: [ProviderInfoDto] }) data!: ProviderInfoDto[];
}
