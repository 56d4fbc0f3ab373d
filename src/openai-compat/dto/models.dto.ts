import { ApiProperty } from '@nestjs/swagger';

export class OpenAIModelDto {
  @ApiProperty({ example: 'openai/gpt-4o-mini', description: '"provider/model", as chat completions and embeddings take it' })
  id!: string;

  @ApiProperty({ enum: ['model'] }) object!: 'model';

  @ApiProperty({ description: 'Unix seconds (0: unknown)' }) created!: number;

  @ApiProperty({ example: 'openai', description: 'The provider id' }) owned_by!: string;
}

export class OpenAIModelListDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [OpenAIModelDto] }) data!: OpenAIModelDto[];
}
